/**
 * Renders one clip of a compressor at 16 kHz: the healthy machine (rotation harmonics, magnetic
 * hum, valve impacts ringing structural modes, pulsating refrigerant flow), optionally one fault
 * at a severity, then room noise at an SNR and a microphone gain.
 */
import { FRONTEND } from '../frontend/config.ts';
import type { ClipContext } from './context.ts';
import { addScaled, bandNoise, bandpass, filter, highpass, highShelf, normalizeRms, pinkNoise, slowWalk } from './dsp.ts';
import { FAULTS, type FaultId } from './faults.ts';
import { type MachineParams, rotationHz, sampleMachine } from './machine.ts';
import { Rng } from './prng.ts';

export interface ClipSpec {
  readonly machine: MachineParams;
  /** Any number or string; with the machine id it fixes every random choice in the clip. */
  readonly seed: number | string;
  /** Seconds (default 10, the DCASE clip length). */
  readonly durationS?: number;
  readonly fault?: FaultId | null;
  /** Fault severity 0..1 (default 0.5 when a fault is given). 0 renders the healthy clip. */
  readonly severity?: number;
  /** Room-noise SNR in dB relative to the healthy machine (default 20). */
  readonly snrDb?: number;
  /** Mean operating load 0..1 (default: drawn from 0.35..1). */
  readonly load?: number;
  /** Extra microphone gain in dB (default 0). */
  readonly gainDb?: number;
  /**
   * Whether another compressor in the same plant room may be running (half of the clips, 4–16 dB
   * below this one; default true). Racks of compressors cycle independently, so "normal" must
   * include hearing a neighbour.
   */
  readonly neighbours?: boolean;
}

/** What was actually rendered (the manifest records it). */
export interface ClipInfo {
  readonly machine: string;
  readonly fault: FaultId | null;
  readonly severity: number;
  readonly durationS: number;
  readonly load: number;
  readonly snrDb: number;
  readonly gainDb: number;
  readonly unloaderStep: boolean;
  readonly shortCycle: boolean;
  readonly roomEvent: boolean;
  /** Level of a neighbouring compressor relative to this one in dB, or null when none ran. */
  readonly neighbourDb: number | null;
}

export class SynthError extends Error {
  override name = 'SynthError';
}

function validate(spec: ClipSpec): void {
  const d = spec.durationS ?? 10;
  if (!(d > 0 && d <= 600)) throw new SynthError(`durationS must be in (0, 600] seconds (got ${d})`);
  const s = spec.severity ?? 0.5;
  if (!(s >= 0 && s <= 1)) throw new SynthError(`severity must be in [0, 1] (got ${s})`);
  if (spec.load !== undefined && !(spec.load >= 0 && spec.load <= 1)) {
    throw new SynthError(`load must be in [0, 1] (got ${spec.load})`);
  }
  if (spec.snrDb !== undefined && !Number.isFinite(spec.snrDb)) throw new SynthError(`snrDb must be finite (got ${spec.snrDb})`);
  if (spec.gainDb !== undefined && !Number.isFinite(spec.gainDb))
    throw new SynthError(`gainDb must be finite (got ${spec.gainDb})`);
  if (spec.fault && !(spec.fault in FAULTS)) throw new SynthError(`unknown fault "${spec.fault}"`);
}

/** Integrates rotation frequency into shaft angle; a coasting motor slows with `run`. */
function kinematics(ctx: ClipContext, startPhase: number): void {
  const m = ctx.machine;
  let ph = startPhase;
  for (let i = 0; i < ctx.n; i++) {
    const f = rotationHz(m, ctx.load[i]) * (0.05 + 0.95 * ctx.run[i]);
    ctx.rotation[i] = f;
    ph += (2 * Math.PI * f) / ctx.sampleRate;
    ctx.phase[i] = ph;
  }
}

/** Σ_h a_h cos(hφ + θ_h), by repeated complex multiplication instead of one sin per harmonic. */
function harmonicSeries(ctx: ClipContext): Float32Array {
  const m = ctx.machine;
  const H = m.harmonics.length;
  const cRe = m.harmonics.map((a, h) => a * Math.cos(m.harmonicPhases[h]));
  const cIm = m.harmonics.map((a, h) => a * Math.sin(m.harmonicPhases[h]));
  const nyq = ctx.sampleRate / 2;
  const out = new Float32Array(ctx.n);
  for (let i = 0; i < ctx.n; i++) {
    const ur = Math.cos(ctx.phase[i]);
    const ui = Math.sin(ctx.phase[i]);
    let zr = ur;
    let zi = ui;
    let s = 0;
    const maxH = Math.min(H, Math.floor(nyq / Math.max(1, ctx.rotation[i])));
    for (let h = 0; h < maxH; h++) {
      s += cRe[h] * zr - cIm[h] * zi;
      const t = zr * ur - zi * ui;
      zi = zr * ui + zi * ur;
      zr = t;
    }
    out[i] = s * (0.6 + 0.4 * ctx.load[i]);
  }
  return normalizeRms(out);
}

function mainsHum(ctx: ClipContext, rng: Rng): Float32Array {
  const m = ctx.machine;
  const out = new Float32Array(ctx.n);
  // Grid frequency wanders by a few hundredths of a hertz.
  const drift = slowWalk(rng, ctx.n, ctx.sampleRate, 2, 0.02);
  const p2 = rng.uniform(0, 2 * Math.PI);
  const p3 = rng.uniform(0, 2 * Math.PI);
  const a2 = rng.uniform(0.15, 0.4);
  const a3 = rng.uniform(0.05, 0.2);
  let th = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < ctx.n; i++) {
    th += (2 * Math.PI * 2 * (m.mainsHz + drift[i])) / ctx.sampleRate;
    out[i] = Math.sin(th) + a2 * Math.sin(2 * th + p2) + a3 * Math.sin(3 * th + p3);
  }
  return normalizeRms(out);
}

/** Valve and piston impacts (or scroll pocket ticks), each ringing the machine's structural modes. */
function impacts(ctx: ClipContext, rng: Rng): Float32Array {
  const m = ctx.machine;
  const events: { at: number; amp: number }[] = [];
  for (let k = 0; k < m.cylinders; k++) {
    events.push({ at: k / m.cylinders, amp: 1 });
    if (m.kind === 'reciprocating') events.push({ at: (k / m.cylinders + m.suctionPhase / m.cylinders) % 1, amp: 0.45 });
  }
  events.sort((a, b) => a.at - b.at);
  const exc = new Float32Array(ctx.n);
  let turn = 0;
  let e = 0;
  for (let i = 0; i < ctx.n; i++) {
    const turns = ctx.phase[i] / (2 * Math.PI);
    while (turn + events[e].at <= turns) {
      const j = Math.min(ctx.n - 1, Math.max(0, i + Math.round(1.5 * rng.gauss())));
      exc[j] += events[e].amp * (0.6 + 0.4 * ctx.load[i]) * (0.85 + 0.3 * rng.next());
      e++;
      if (e === events.length) {
        e = 0;
        turn++;
      }
    }
  }
  const out = new Float32Array(ctx.n);
  for (const r of m.resonances) addScaled(out, filter(bandpass(r.freq, r.q, ctx.sampleRate), exc), r.gain);
  // A little of the raw click reaches the mic directly (metal-on-metal contact is broadband).
  addScaled(out, filter(highpass(2500, 0.7, ctx.sampleRate), exc), 0.02);
  return normalizeRms(out);
}

function flowNoise(ctx: ClipContext, rng: Rng): Float32Array {
  const m = ctx.machine;
  const out = bandNoise(rng, ctx.n, m.flowLo, m.flowHi, ctx.sampleRate);
  const turbulence = slowWalk(rng, ctx.n, ctx.sampleRate, 0.3, 0.15);
  const psi = rng.uniform(0, 2 * Math.PI);
  const p = m.flowPulsation;
  for (let i = 0; i < ctx.n; i++) {
    const pulse = 1 - p + p * (0.5 + 0.5 * Math.cos(m.cylinders * ctx.phase[i] + psi));
    out[i] *= (0.4 + 0.6 * ctx.load[i]) * pulse * (1 + turbulence[i]);
  }
  return normalizeRms(out);
}

/** Plant-room background: pink noise, sometimes a distant fan, rarely a clank or a door. */
function roomNoise(n: number, sampleRate: number, rng: Rng): { noise: Float32Array; event: boolean } {
  const out = pinkNoise(rng, n, sampleRate);
  if (rng.chance(0.5)) {
    const f = rng.logUniform(25, 300);
    const a = rng.uniform(0.1, 0.5);
    let th = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      th += (2 * Math.PI * f) / sampleRate;
      out[i] += a * Math.sin(th);
    }
  }
  const event = rng.chance(0.1);
  if (event) {
    const exc = new Float32Array(n);
    exc[rng.int(0, n - 1)] = 1;
    const ring = filter(bandpass(rng.logUniform(150, 3000), rng.uniform(3, 15), sampleRate), exc);
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(ring[i]));
    addScaled(out, ring, rng.uniform(1, 4) / peak);
  }
  return { noise: normalizeRms(out), event };
}

export function renderClip(spec: ClipSpec): { pcm: Float32Array; info: ClipInfo } {
  return render(spec, true);
}

/** `atSite` = what the site microphone hears (mic response, neighbours); false for a neighbour's own sound. */
function render(spec: ClipSpec, atSite: boolean): { pcm: Float32Array; info: ClipInfo } {
  validate(spec);
  const sr = FRONTEND.sampleRate;
  const m = spec.machine;
  const durationS = spec.durationS ?? 10;
  const n = Math.round(durationS * sr);
  const fault = spec.fault ?? null;
  const severity = fault ? (spec.severity ?? 0.5) : 0;
  const snrDb = spec.snrDb ?? 20;
  const gainDb = spec.gainDb ?? 0;

  // Every stream is forked up front in a fixed order, so the healthy part of a clip is identical
  // with and without a fault and the fault's randomness never shifts the rest.
  const root = new Rng(`clip:${m.id}:${spec.seed}`);
  const rLoad = root.fork('load');
  const rHum = root.fork('hum');
  const rImpact = root.fork('impact');
  const rFlow = root.fork('flow');
  const rRoom = root.fork('room');
  const rFault = root.fork('fault');
  const rNeighbour = root.fork('neighbour');
  const startPhase = root.uniform(0, 2 * Math.PI);

  const baseLoad = spec.load ?? rLoad.uniform(0.35, 1);
  const walk = slowWalk(rLoad, n, sr, 0.5, 0.04);
  const load = new Float32Array(n);
  for (let i = 0; i < n; i++) load[i] = Math.min(1, Math.max(0.05, baseLoad + walk[i]));
  // Cylinder unloaders switch capacity in steps: a multi-cylinder machine sometimes changes load mid-clip.
  const unloaderStep = m.kind === 'reciprocating' && m.cylinders > 1 && rLoad.chance(0.15);
  if (unloaderStep) {
    const at = rLoad.uniform(0.2, 0.8) * n;
    const delta = (baseLoad > 0.6 ? -1 : 1) * rLoad.uniform(0.2, 0.35);
    const ramp = 0.2 * sr;
    for (let i = 0; i < n; i++) {
      const t = Math.min(1, Math.max(0, (i - at) / ramp));
      load[i] = Math.min(1, Math.max(0.05, load[i] + delta * t));
    }
  }

  const ctx: ClipContext = {
    sampleRate: sr,
    n,
    machine: m,
    load,
    run: new Float32Array(n).fill(1),
    phase: new Float64Array(n),
    rotation: new Float32Array(n),
    harmonicGain: 1,
    flowGain: 1,
    impactGain: 1,
    humEnvelope: null,
  };
  kinematics(ctx, startPhase);
  const model = fault ? FAULTS[fault] : null;
  if (model?.shape && severity > 0) {
    model.shape(ctx, severity, rFault);
    kinematics(ctx, startPhase);
  }

  const db = (x: number) => 10 ** (x / 20);
  const mix = harmonicSeries(ctx);
  for (let i = 0; i < n; i++) mix[i] *= ctx.harmonicGain;
  const hum = mainsHum(ctx, rHum);
  const env = ctx.humEnvelope;
  for (let i = 0; i < n; i++) mix[i] += db(m.humDb) * hum[i] * (env ? env[i] : 1);
  addScaled(mix, impacts(ctx, rImpact), db(m.impactDb) * ctx.impactGain);
  addScaled(mix, flowNoise(ctx, rFlow), db(m.flowDb) * ctx.flowGain);
  for (let i = 0; i < n; i++) mix[i] *= ctx.run[i];

  // The healthy machine's RMS (over the time it runs) sets every other level.
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (ctx.run[i] >= 0.999) {
      sum += mix[i] * mix[i];
      count++;
    }
  }
  const R = Math.sqrt(sum / Math.max(1, count)) || 1;
  const shortCycle = count < n;
  if (model?.render && severity > 0) addScaled(mix, model.render(ctx, severity, rFault), R);

  // A neighbour's own room noise would be the same room twice: only the site hears the room.
  const room = atSite ? roomNoise(n, sr, rRoom) : null;
  if (room) addScaled(mix, room.noise, R * db(-snrDb));
  let neighbourDb: number | null = null;
  if (atSite && (spec.neighbours ?? true) && rNeighbour.chance(0.5)) {
    // The same plant room shares the mains; the neighbour is a fixed machine per site.
    const other = sampleMachine(`neighbour:${m.id}`, `${m.id}-neighbour`, { mainsHz: m.mainsHz });
    neighbourDb = -Math.round(rNeighbour.uniform(4, 16) * 100) / 100;
    const nb = render({ machine: other, seed: `${spec.seed}:neighbour`, durationS }, false).pcm;
    addScaled(mix, normalizeRms(nb), R * db(neighbourDb));
  }
  if (atSite) {
    // Everything reaches the recording through the site's microphone.
    const hp = highpass(m.micHighpassHz, Math.SQRT1_2, sr);
    filter(hp, mix, mix);
    filter(highShelf(1000, m.micTiltDb, sr), mix, mix);
  }

  const meanLoad = load.reduce((a, b) => a + b, 0) / n;
  const levelDb = -30 + m.levelDb + gainDb + 4 * (meanLoad - 0.65);
  const g = db(levelDb) / R;
  const pcm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = mix[i] * g;
    const a = Math.abs(x);
    // A real preamp clips softly; keeps rare extreme knocks inside [-1, 1].
    pcm[i] = a <= 0.9 ? x : Math.sign(x) * (0.9 + 0.1 * Math.tanh((a - 0.9) / 0.1));
  }
  return {
    pcm,
    info: {
      machine: m.id,
      fault,
      severity,
      durationS,
      load: Math.round(meanLoad * 1000) / 1000,
      snrDb,
      gainDb,
      unloaderStep,
      shortCycle,
      roomEvent: room?.event ?? false,
      neighbourDb,
    },
  };
}

/** Contract C: one clip of mono 16 kHz PCM in [-1, 1]. */
export function synthesizeClip(spec: ClipSpec): Float32Array {
  return renderClip(spec).pcm;
}
