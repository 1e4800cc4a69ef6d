import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../synth/prng.ts';
import { FRONTEND, type FrontendConfig } from './config.ts';
import { computeLogMel, hannWindow, melFilterbank, powerSpectrum } from './logmel.ts';

/**
 * Golden vectors: int16 PCM inputs and the reference log-mel features computed from them, for the
 * firmware's C++ front end (host tests) to reproduce. The PCM is int16 because that is what the
 * device's I2S path delivers; features are computed from x/32768, exactly as the firmware will.
 *
 * Layout of the output folder:
 *   index.json                  { schema, frontend, pcmScale, cases: [{name, description, pcmFile,
 *                                 featuresFile, samples, frames, nMels, tolerance}] }
 *   <name>.pcm.i16              int16 little-endian, mono, frontend.sampleRate
 *   <name>.features.f32         float32 little-endian, frame-major [frames * nMels], dB
 *   window.f32, filterbank.f32, <case>.power<frame>.f32
 *                               intermediate stages (see `intermediates` in index.json), so a C++
 *                               mismatch can be traced to the window, the filterbank or the FFT
 */

export const GOLDEN_SCHEMA = 'signalcraft.frontend-golden/1';

/**
 * Max |Δ| in dB, per element, that a float32 C++ port must meet. A float32 emulation of the front
 * end (logmel-f32.ts) stays within 0.014 dB on every case, so this leaves ~4x margin for a
 * different FFT ordering or FMA use while still catching a wrong window, edge or scale.
 */
export const GOLDEN_TOLERANCE_DB = 0.05;

export interface GoldenCase {
  readonly name: string;
  readonly description: string;
  readonly pcm: Int16Array;
}

export interface GoldenIndexCase {
  readonly name: string;
  readonly description: string;
  readonly pcmFile: string;
  readonly featuresFile: string;
  readonly samples: number;
  readonly frames: number;
  readonly nMels: number;
  readonly tolerance: number;
}

/**
 * Power spectrum tolerance, relative to the frame's largest bin: |ΔP[k]| <= this · max_k P[k].
 * The float32 emulation stays within 6e-7 on every case (per-bin relative error is large in the
 * leakage bins far below the peak, which is why the bound is on the frame's scale).
 */
export const GOLDEN_POWER_REL_TOLERANCE = 1e-5;

export interface GoldenIntermediates {
  /** Periodic Hann, float32 LE [frameLength]. */
  readonly windowFile: string;
  /** Mel weights, float32 LE row-major [nMels][fftSize/2 + 1]. */
  readonly filterbankFile: string;
  readonly filterbankShape: readonly [number, number];
  /** |X_k|^2 (k = 0..fftSize/2) of one frame of one case, float32 LE. */
  readonly powerSpectrum: {
    readonly case: string;
    readonly frame: number;
    readonly file: string;
    readonly bins: number;
    readonly relTolerance: number;
  };
  /** Window and weights agree to float32 rounding: |Δ| <= this. */
  readonly weightTolerance: number;
}

export interface GoldenIndex {
  readonly schema: typeof GOLDEN_SCHEMA;
  readonly frontend: FrontendConfig;
  /** PCM sample s maps to s / pcmScale in [-1, 1). */
  readonly pcmScale: 32768;
  readonly toleranceNote: string;
  readonly cases: GoldenIndexCase[];
  readonly intermediates: GoldenIntermediates;
}

const POWER_CASE = 'tone-1k';
const POWER_FRAME = 3;

/** A tiny seeded generator so the cases never depend on Math.random. */
const rng = mulberry32;

/** Standard normal deviates (Box-Muller). */
function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function toInt16(x: Float64Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
}

/**
 * Adds a -80 dBFS noise floor, as every real microphone has: the bands far from a pure tone then
 * hold noise well above float32 FFT rounding (relative error ~1e-7 of the frame's energy), so the
 * C++ tolerance measures the port rather than rounding luck in bands 100+ dB below the peak.
 */
function withNoiseFloor(x: Float64Array, seed: number): Float64Array {
  const g = gaussian(rng(seed));
  return x.map((v) => v + 1e-4 * g());
}

const SR = FRONTEND.sampleRate;

/** The committed cases: each exercises a part of the front end the firmware could get wrong. */
export function goldenCases(): GoldenCase[] {
  const n = SR; // one second: 30 frames
  const t = (i: number) => i / SR;
  const cases: GoldenCase[] = [];
  const add = (name: string, description: string, x: Float64Array) => cases.push({ name, description, pcm: toInt16(x) });

  add('silence', 'digital silence: every element is the log floor (-100 dB)', new Float64Array(8192));
  add(
    'tone-1k',
    '1 kHz sine at -6 dBFS (+ -80 dBFS noise floor): one band dominates; checks the mel edges and dB scaling',
    withNoiseFloor(
      Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(2 * Math.PI * 1000 * t(i))),
      1,
    ),
  );
  add(
    'hum-50hz',
    '50 Hz mains hum with 100/150/200/250/300 Hz harmonics: checks the narrow low bands',
    withNoiseFloor(
      Float64Array.from({ length: n }, (_, i) => {
        let v = 0;
        for (let h = 1; h <= 6; h++) v += (0.3 / h) * Math.sin(2 * Math.PI * 50 * h * t(i) + h);
        return v;
      }),
      2,
    ),
  );
  {
    const g = gaussian(rng(3));
    add(
      'white-noise',
      'Gaussian white noise at -14 dBFS RMS: every band active; checks the whole filterbank',
      Float64Array.from({ length: n }, () => 0.2 * g()),
    );
  }
  add(
    'chirp',
    'exponential sweep 20 Hz -> 8 kHz in 1 s at -6 dBFS (+ noise floor): checks band order and frequency mapping',
    withNoiseFloor(
      Float64Array.from({ length: n }, (_, i) => {
        const k = Math.log(8000 / 20);
        return 0.5 * Math.sin(((2 * Math.PI * 20) / k) * (Math.exp(k * t(i)) - 1));
      }),
      4,
    ),
  );
  add(
    'impulse-train',
    'impulses every 10 ms (100 Hz) on a noise floor, 12345 samples (not a whole number of hops): checks framing',
    withNoiseFloor(
      Float64Array.from({ length: 12345 }, (_, i) => (i % 160 === 37 ? 0.9 : 0)),
      5,
    ),
  );
  {
    // Tests the low end of the dynamic range: a few LSB of noise, where power is near 1e-8.
    const g = gaussian(rng(6));
    add(
      'quiet-noise',
      'white noise at about 3 LSB RMS (-81 dBFS): checks low-level precision',
      Float64Array.from({ length: 8192 }, () => 1e-4 * g()),
    );
  }
  return cases;
}

/** int16 LE PCM → [-1, 1) floats, as the firmware converts its I2S samples. */
export function pcmToFloat(pcm: Int16Array): Float32Array {
  return Float32Array.from(pcm, (s) => s / 32768);
}

function int16Le(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) v.setInt16(i * 2, pcm[i], true);
  return out;
}

/** Float32 little-endian bytes, whatever the host's byte order (the golden and features format). */
export function float32Le(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) v.setFloat32(i * 4, x[i], true);
  return out;
}

/** Writes the golden folder; returns its index. Deterministic: same bytes on every run. */
export async function writeGolden(
  outDir: string,
  onCase?: (name: string, i: number, total: number) => void,
): Promise<GoldenIndex> {
  await mkdir(outDir, { recursive: true });
  const cases = goldenCases();
  const entries: GoldenIndexCase[] = [];
  for (const [i, c] of cases.entries()) {
    const lm = computeLogMel(pcmToFloat(c.pcm), FRONTEND);
    const pcmFile = `${c.name}.pcm.i16`;
    const featuresFile = `${c.name}.features.f32`;
    await writeFile(join(outDir, pcmFile), int16Le(c.pcm));
    await writeFile(join(outDir, featuresFile), float32Le(lm.data));
    entries.push({
      name: c.name,
      description: c.description,
      pcmFile,
      featuresFile,
      samples: c.pcm.length,
      frames: lm.frames,
      nMels: lm.nMels,
      tolerance: GOLDEN_TOLERANCE_DB,
    });
    onCase?.(c.name, i + 1, cases.length);
  }
  const intermediates = await writeIntermediates(outDir, cases);
  const index: GoldenIndex = {
    schema: GOLDEN_SCHEMA,
    frontend: { ...FRONTEND },
    pcmScale: 32768,
    toleranceNote: 'tolerance is the max absolute difference in dB allowed per feature element for an implementation in float32',
    cases: entries,
    intermediates,
  };
  await writeFile(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

async function writeIntermediates(outDir: string, cases: GoldenCase[]): Promise<GoldenIntermediates> {
  const bank = melFilterbank(FRONTEND);
  const bins = FRONTEND.fftSize / 2 + 1;
  const flat = new Float32Array(bank.length * bins);
  bank.forEach((w, m) => {
    flat.set(w, m * bins);
  });
  const pcm = pcmToFloat(cases.find((c) => c.name === POWER_CASE)!.pcm);
  const at = POWER_FRAME * FRONTEND.hop;
  const power = powerSpectrum(pcm.subarray(at, at + FRONTEND.frameLength), FRONTEND);
  const powerFile = `${POWER_CASE}.power${POWER_FRAME}.f32`;
  await writeFile(join(outDir, 'window.f32'), float32Le(Float32Array.from(hannWindow(FRONTEND.frameLength))));
  await writeFile(join(outDir, 'filterbank.f32'), float32Le(flat));
  await writeFile(join(outDir, powerFile), float32Le(Float32Array.from(power)));
  return {
    windowFile: 'window.f32',
    filterbankFile: 'filterbank.f32',
    filterbankShape: [bank.length, bins],
    powerSpectrum: { case: POWER_CASE, frame: POWER_FRAME, file: powerFile, bins, relTolerance: GOLDEN_POWER_REL_TOLERANCE },
    weightTolerance: 1e-6,
  };
}

/** Reads a float32 LE file, checking its length. */
export async function readFloat32Le(path: string, count: number): Promise<Float32Array> {
  const bytes = await readFile(path);
  if (bytes.length !== count * 4) throw new Error(`${path}: ${bytes.length} bytes, expected ${count * 4}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: count }, (_, i) => v.getFloat32(i * 4, true));
}

export interface LoadedGoldenCase extends GoldenIndexCase {
  readonly pcm: Int16Array;
  readonly features: Float32Array;
}

/** Reads and checks a golden folder (sizes must agree with the index). */
export async function readGolden(dir: string): Promise<{ index: GoldenIndex; cases: LoadedGoldenCase[] }> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as GoldenIndex;
  if (index.schema !== GOLDEN_SCHEMA) throw new Error(`${dir}/index.json: schema is ${index.schema}, expected ${GOLDEN_SCHEMA}`);
  const cases: LoadedGoldenCase[] = [];
  for (const c of index.cases) {
    const pcmBytes = await readFile(join(dir, c.pcmFile));
    const featBytes = await readFile(join(dir, c.featuresFile));
    if (pcmBytes.length !== c.samples * 2) throw new Error(`${c.pcmFile}: ${pcmBytes.length} bytes, expected ${c.samples * 2}`);
    if (featBytes.length !== c.frames * c.nMels * 4) {
      throw new Error(`${c.featuresFile}: ${featBytes.length} bytes, expected ${c.frames * c.nMels * 4}`);
    }
    const pv = new DataView(pcmBytes.buffer, pcmBytes.byteOffset, pcmBytes.byteLength);
    const fv = new DataView(featBytes.buffer, featBytes.byteOffset, featBytes.byteLength);
    const pcm = Int16Array.from({ length: c.samples }, (_, i) => pv.getInt16(i * 2, true));
    const features = Float32Array.from({ length: c.frames * c.nMels }, (_, i) => fv.getFloat32(i * 4, true));
    cases.push({ ...c, pcm, features });
  }
  return { index, cases };
}
