import FFT from 'fft.js';
import { FRONTEND, type FrontendConfig } from './config.ts';

/**
 * The reference log-mel front end (contract A): framing without centre padding, periodic Hann,
 * |rfft|^2 without normalisation, HTK-mel triangles of unit peak, 10·log10(max(p, floor)).
 * The firmware's C++ copies exactly this and is checked against golden vectors written from it.
 * Arithmetic is float64 internally (the reference should carry no rounding of its own); outputs
 * are float32.
 */

export interface LogMel {
  readonly frames: number;
  readonly nMels: number;
  /** Frame-major: element (f, m) is data[f * nMels + m], in dB. */
  readonly data: Float32Array;
}

/** HTK mel scale. */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Throws a RangeError naming the first parameter that makes no sense. */
export function validateConfig(cfg: FrontendConfig): void {
  const bad = (msg: string) => {
    throw new RangeError(`front-end config: ${msg}`);
  };
  const posInt = (name: keyof FrontendConfig) => {
    const v = cfg[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) bad(`${name} must be a positive integer, got ${String(v)}`);
  };
  for (const k of ['sampleRate', 'frameLength', 'hop', 'fftSize', 'nMels', 'contextFrames'] as const) posInt(k);
  if (cfg.fftSize & (cfg.fftSize - 1)) bad(`fftSize must be a power of two, got ${cfg.fftSize}`);
  if (cfg.fftSize < cfg.frameLength) bad(`fftSize (${cfg.fftSize}) must be >= frameLength (${cfg.frameLength})`);
  if (cfg.window !== 'hann') bad(`window must be "hann", got ${String(cfg.window)}`);
  if (cfg.melScale !== 'htk') bad(`melScale must be "htk", got ${String(cfg.melScale)}`);
  if (!(cfg.fmin >= 0 && cfg.fmin < cfg.fmax)) bad(`need 0 <= fmin < fmax, got ${cfg.fmin}..${cfg.fmax}`);
  if (cfg.fmax > cfg.sampleRate / 2) bad(`fmax (${cfg.fmax}) must be <= sampleRate/2 (${cfg.sampleRate / 2})`);
  if (!(cfg.logFloor > 0)) bad(`logFloor must be > 0, got ${cfg.logFloor}`);
}

/** Number of whole frames in `n` samples (no padding). */
export function frameCount(n: number, cfg: FrontendConfig = FRONTEND): number {
  return n < cfg.frameLength ? 0 : 1 + Math.floor((n - cfg.frameLength) / cfg.hop);
}

/** Periodic Hann window w[n] = 0.5 - 0.5 cos(2πn/N) (the DFT-even form used for spectral analysis). */
export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * HTK-mel triangular filters with unit peak, one Float32Array of fftSize/2+1 weights per band.
 * Band m rises from edge m to a peak of 1 at edge m+1 and falls to 0 at edge m+2, where the
 * nMels+2 edges are equally spaced in mel between fmin and fmax (the outer two exactly fmin and
 * fmax); weights are sampled at the bin frequencies k·sampleRate/fftSize.
 */
export function melFilterbank(cfg: FrontendConfig = FRONTEND): Float32Array[] {
  validateConfig(cfg);
  const bins = cfg.fftSize / 2 + 1;
  const lo = hzToMel(cfg.fmin);
  const hi = hzToMel(cfg.fmax);
  const edges = Array.from({ length: cfg.nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (cfg.nMels + 1)));
  // Pin the outer edges: the mel round trip is off by ~1e-12 Hz, which would give the Nyquist
  // bin a 1e-15 weight when fmax = sampleRate/2.
  edges[0] = cfg.fmin;
  edges[cfg.nMels + 1] = cfg.fmax;
  const bank: Float32Array[] = [];
  for (let m = 0; m < cfg.nMels; m++) {
    const [left, centre, right] = [edges[m], edges[m + 1], edges[m + 2]];
    const w = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      const f = (k * cfg.sampleRate) / cfg.fftSize;
      if (f > left && f < centre) w[k] = (f - left) / (centre - left);
      else if (f >= centre && f < right) w[k] = (right - f) / (right - centre);
    }
    bank.push(w);
  }
  return bank;
}

/** Everything that depends only on the config, built once per config. */
class Kernel {
  readonly window: Float64Array;
  readonly fft: FFT;
  readonly spectrum: number[];
  readonly frame: Float64Array;
  readonly power: Float64Array;
  /** Sparse filters: the first non-zero bin and the weights from there. */
  readonly filters: { start: number; weights: Float32Array }[];

  constructor(readonly cfg: FrontendConfig) {
    validateConfig(cfg);
    this.window = hannWindow(cfg.frameLength);
    this.fft = new FFT(cfg.fftSize);
    this.spectrum = this.fft.createComplexArray();
    this.frame = new Float64Array(cfg.fftSize);
    this.power = new Float64Array(cfg.fftSize / 2 + 1);
    this.filters = melFilterbank(cfg).map((w) => {
      let start = 0;
      while (start < w.length && w[start] === 0) start++;
      let end = w.length;
      while (end > start && w[end - 1] === 0) end--;
      return { start, weights: w.slice(start, end) };
    });
  }

  /** Windowed power spectrum of frameLength samples of `pcm` starting at `offset`, into this.power. */
  powerAt(pcm: ArrayLike<number>, offset: number): Float64Array {
    const { frame, window, spectrum, power } = this;
    const n = this.cfg.frameLength;
    for (let i = 0; i < n; i++) frame[i] = pcm[offset + i] * window[i];
    // frame[n..fftSize) stays zero: the zero padding.
    this.fft.realTransform(spectrum, frame);
    for (let k = 0; k < power.length; k++) {
      const re = spectrum[2 * k];
      const im = spectrum[2 * k + 1];
      power[k] = re * re + im * im;
    }
    return power;
  }

  /** Log-mel of one frame into out[at .. at+nMels). */
  logMelAt(pcm: ArrayLike<number>, offset: number, out: Float32Array, at: number): void {
    const power = this.powerAt(pcm, offset);
    const floor = this.cfg.logFloor;
    for (let m = 0; m < this.filters.length; m++) {
      const { start, weights } = this.filters[m];
      let e = 0;
      for (let i = 0; i < weights.length; i++) e += weights[i] * power[start + i];
      out[at + m] = 10 * Math.log10(Math.max(e, floor));
    }
  }
}

const kernels = new Map<string, Kernel>();

function kernelFor(cfg: FrontendConfig): Kernel {
  const key = JSON.stringify(cfg);
  let k = kernels.get(key);
  if (!k) {
    k = new Kernel(cfg);
    if (kernels.size > 8) kernels.clear();
    kernels.set(key, k);
  }
  return k;
}

function checkFinite(pcm: Float32Array, base = 0): void {
  for (let i = 0; i < pcm.length; i++) {
    if (!Number.isFinite(pcm[i])) throw new RangeError(`log-mel: sample ${base + i} is ${pcm[i]} (PCM must be finite)`);
  }
}

/**
 * Power spectrum |X_k|^2, k = 0..fftSize/2, of one frame (frameLength samples; the Hann window is
 * applied here, then zero-padded to fftSize).
 */
export function powerSpectrum(frame: ArrayLike<number>, cfg: FrontendConfig = FRONTEND): Float64Array {
  if (frame.length !== cfg.frameLength) {
    throw new RangeError(`powerSpectrum: frame has ${frame.length} samples, expected ${cfg.frameLength}`);
  }
  return kernelFor(cfg).powerAt(frame, 0).slice();
}

/** Log-mel features of a whole clip (mono, in [-1, 1], at cfg.sampleRate). */
export function computeLogMel(pcm: Float32Array, cfg: FrontendConfig = FRONTEND): LogMel {
  const kernel = kernelFor(cfg);
  checkFinite(pcm);
  const frames = frameCount(pcm.length, cfg);
  const data = new Float32Array(frames * cfg.nMels);
  for (let f = 0; f < frames; f++) kernel.logMelAt(pcm, f * cfg.hop, data, f * cfg.nMels);
  return { frames, nMels: cfg.nMels, data };
}

/**
 * The same front end fed in chunks of any size (the device's I2S reads, a live stream): every
 * frame it returns is bit-identical to the matching frame of `computeLogMel` on the concatenation.
 */
export class LogMelStream {
  private readonly kernel: Kernel;
  private buffer: Float32Array;
  /** Valid samples in `buffer`; the next frame starts at buffer[0]. */
  private filled = 0;
  /** Samples to drop before the next frame (when hop > frameLength). */
  private skip = 0;
  private pushed = 0;
  private emitted = 0;

  constructor(readonly cfg: FrontendConfig = FRONTEND) {
    this.kernel = kernelFor(cfg);
    this.buffer = new Float32Array(cfg.frameLength * 4);
  }

  /** Frames produced so far. */
  get framesEmitted(): number {
    return this.emitted;
  }

  /** Samples pushed so far. */
  get samplesPushed(): number {
    return this.pushed;
  }

  /** Appends PCM and returns the frames it completed (possibly none). */
  push(chunk: Float32Array): LogMel {
    checkFinite(chunk, this.pushed);
    this.pushed += chunk.length;
    let src = chunk;
    if (this.skip > 0) {
      const drop = Math.min(this.skip, src.length);
      this.skip -= drop;
      src = src.subarray(drop);
    }
    const { frameLength, hop, nMels } = this.cfg;
    const total = this.filled + src.length;
    if (total > this.buffer.length) {
      const grown = new Float32Array(Math.max(total, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(src, this.filled);
    this.filled = total;
    const n = frameCount(this.filled, this.cfg);
    const data = new Float32Array(n * nMels);
    for (let f = 0; f < n; f++) this.kernel.logMelAt(this.buffer, f * hop, data, f * nMels);
    if (n > 0) {
      const consumed = n * hop;
      if (consumed >= this.filled) {
        this.skip = consumed - this.filled;
        this.filled = 0;
      } else {
        this.buffer.copyWithin(0, consumed, this.filled);
        this.filled -= consumed;
      }
    }
    // Keep the buffer small once a large chunk has passed through.
    if (this.buffer.length > frameLength * 64 && this.filled < frameLength * 4) {
      this.buffer = this.buffer.slice(0, frameLength * 4);
    }
    this.emitted += n;
    return { frames: n, nMels, data };
  }

  /** Forgets buffered samples (a new recording). */
  reset(): void {
    this.filled = 0;
    this.skip = 0;
    this.pushed = 0;
    this.emitted = 0;
  }
}
