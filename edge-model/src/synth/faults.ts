/**
 * The fault modes. Each is physically motivated and scales with a severity in [0, 1]; the added
 * sound grows like severity^1.5 so that low severities are genuinely subtle (a fault at 0.2 adds
 * a component about 30 dB below the machine), and none of them works by simply making the machine
 * louder: the mixer normalises the level on the healthy part of the sound.
 */
import type { ClipContext } from './context.ts';
import { addScaled, bandNoise, bandpass, filter, normalizeRms, rms } from './dsp.ts';
import { rotationHz } from './machine.ts';
import type { Rng } from './prng.ts';

export const FAULT_IDS = ['bearing', 'valve-leak', 'loose-mount', 'slugging', 'electrical', 'starvation'] as const;
export type FaultId = (typeof FAULT_IDS)[number];

export function isFaultId(s: string): s is FaultId {
  return (FAULT_IDS as readonly string[]).includes(s);
}

export interface FaultModel {
  readonly id: FaultId;
  /** One line for the README and `synth --help`. */
  readonly summary: string;
  /** Changes the machine's operating state before the normal sound is rendered. */
  shape?(ctx: ClipContext, severity: number, rng: Rng): void;
  /** Extra sound, scaled relative to a healthy-machine RMS of 1 (the mixer multiplies by it). */
  render?(ctx: ClipContext, severity: number, rng: Rng): Float32Array;
}

const grow = (s: number) => s ** 1.5;

/** Places impulses at the times the shaft-locked event `cyclePos` (in turns, may be fractional rate) recurs. */
function shaftLockedImpulses(
  ctx: ClipContext,
  turnsPerEvent: number,
  amplitude: (i: number, rng: Rng) => number,
  rng: Rng,
  jitter = 0,
): Float32Array {
  const out = new Float32Array(ctx.n);
  const twoPi = 2 * Math.PI;
  let next = rng.uniform(0, turnsPerEvent);
  for (let i = 0; i < ctx.n; i++) {
    const turns = ctx.phase[i] / twoPi;
    if (turns >= next) {
      const j = Math.min(ctx.n - 1, Math.max(0, i + Math.round(jitter * rng.gauss())));
      out[j] += amplitude(i, rng) * ctx.run[i];
      next += turnsPerEvent * (1 + (jitter > 0 ? 0.01 * rng.gauss() : 0));
      if (next <= turns) next = turns + turnsPerEvent;
    }
  }
  return out;
}

const bearing: FaultModel = {
  id: 'bearing',
  summary:
    'outer-race defect: impacts at BPFO (≈0.4·balls × rotation) ring the bearing housing resonance (2.5–5.5 kHz); amplitude modulated by the load zone once per turn',
  render(ctx, s, rng) {
    const m = ctx.machine;
    // Rolling elements slip a little, so defect impacts are not perfectly periodic (≈1 % jitter).
    const exc = shaftLockedImpulses(
      ctx,
      1 / m.bpfoFactor,
      (i, r) => (1 + 0.6 * Math.cos(ctx.phase[i])) * (0.7 + 0.6 * r.next()),
      rng,
      1.5,
    );
    const ring = filter(bandpass(m.bearingResonance, 18, ctx.sampleRate), exc);
    const ring2 = filter(bandpass(m.bearingResonance * 1.63, 25, ctx.sampleRate), exc);
    addScaled(ring, ring2, 0.5);
    normalizeRms(ring);
    // An early defect is buried: the ringing sits in a band where the healthy machine is quiet, so
    // it grows with severity² and stays ~30 dB below the machine at severity 0.4.
    for (let i = 0; i < ring.length; i++) ring[i] *= 0.2 * s * s;
    return ring;
  },
};

const valveLeak: FaultModel = {
  id: 'valve-leak',
  summary:
    'leaking discharge valve: gas blows back through the seat as broadband hiss above ~3.5 kHz, gated by the compression stroke; valve impacts get slightly duller',
  shape(ctx, s) {
    ctx.impactGain *= 1 - 0.25 * s;
  },
  render(ctx, s, rng) {
    const m = ctx.machine;
    const hiss = bandNoise(rng, ctx.n, 3500, 7600, ctx.sampleRate);
    const depth = m.kind === 'reciprocating' ? 0.9 : 0.4;
    for (let i = 0; i < ctx.n; i++) {
      // Leak flow follows the pressure across the valve: high during compression of each cylinder.
      const stroke = 0.5 + 0.5 * Math.cos(m.cylinders * ctx.phase[i]);
      hiss[i] *= (1 - depth + depth * stroke) * ctx.run[i] * (0.5 + 0.5 * ctx.load[i]);
    }
    normalizeRms(hiss);
    for (let i = 0; i < ctx.n; i++) hiss[i] *= 0.3 * grow(s);
    return hiss;
  },
};

const looseMount: FaultModel = {
  id: 'loose-mount',
  summary:
    'loose foot or mounting bolt: the frame rocks at half the rotation rate (sub-harmonic) and rattles against its seat on alternate turns, ringing the frame resonance',
  render(ctx, s, rng) {
    const m = ctx.machine;
    // A loose joint is a clearance nonlinearity: contact only on alternate turns → f_r/2 subharmonic.
    const exc = shaftLockedImpulses(ctx, 2, (_i, r) => 0.5 + r.next(), rng, 4);
    // Each contact is a short rattle: a few bounces within ~6 ms.
    const bounced = new Float32Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      if (exc[i] === 0) continue;
      bounced[i] += exc[i];
      for (let b = 1; b <= 3; b++) {
        const j = i + Math.round(b * rng.uniform(20, 40));
        if (j < ctx.n) bounced[j] += exc[i] * 0.5 ** b;
      }
    }
    const rattle = filter(bandpass(m.mountResonance, 6, ctx.sampleRate), bounced);
    normalizeRms(rattle);
    const rock = new Float32Array(ctx.n);
    const psi = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i < ctx.n; i++) {
      rock[i] = ctx.run[i] * (Math.sin(ctx.phase[i] / 2 + psi) + 0.5 * Math.sin((3 * ctx.phase[i]) / 2 + 2 * psi));
    }
    normalizeRms(rock);
    addScaled(rattle, rock, 0.5);
    normalizeRms(rattle);
    for (let i = 0; i < ctx.n; i++) rattle[i] *= 0.45 * grow(s);
    return rattle;
  },
};

const slugging: FaultModel = {
  id: 'slugging',
  summary:
    'liquid slugging: liquid refrigerant reaches a cylinder and is hammered at top dead centre: irregular, heavy, low-frequency knocks (Poisson, 0.3–2 per second)',
  render(ctx, s, rng) {
    const m = ctx.machine;
    const exc = new Float32Array(ctx.n);
    const rate = 0.3 + 1.7 * s;
    const durS = ctx.n / ctx.sampleRate;
    const times: number[] = [rng.uniform(0, durS)];
    for (let t = rng.exponential(rate); t < durS; t += rng.exponential(rate)) times.push(t);
    for (const t of times) {
      // Snap to the next top dead centre of the cylinder at hand: slugs are hit by the piston.
      let i = Math.floor(t * ctx.sampleRate);
      const tdc = Math.ceil(ctx.phase[i] / (2 * Math.PI)) * 2 * Math.PI;
      while (i < ctx.n - 1 && ctx.phase[i] < tdc) i++;
      exc[i] += Math.exp(0.5 * rng.gauss()) * ctx.run[i];
    }
    const head = filter(bandpass(rng.logUniform(80, 250), 8, ctx.sampleRate), exc);
    const low = [...m.resonances].sort((a, b) => a.freq - b.freq)[0];
    const shell = filter(bandpass(low.freq, Math.min(low.q, 8), ctx.sampleRate), exc);
    addScaled(head, shell, 0.5);
    // Knocks are transient: scale by peak, not RMS, relative to the healthy machine's RMS.
    let peak = 0;
    for (let i = 0; i < ctx.n; i++) peak = Math.max(peak, Math.abs(head[i]));
    const g = peak > 0 ? (12 * grow(s)) / peak : 0;
    for (let i = 0; i < ctx.n; i++) head[i] *= g;
    return head;
  },
};

const electrical: FaultModel = {
  id: 'electrical',
  summary:
    'stator/rotor electrical fault: the 2×mains magnetic hum grows and beats at the pole-pass frequency (2·slip·mains), with sidebands at 2×mains ± rotation',
  shape(ctx, s, rng) {
    const m = ctx.machine;
    const env = new Float32Array(ctx.n);
    const psi = rng.uniform(0, 2 * Math.PI);
    let beat = psi;
    for (let i = 0; i < ctx.n; i++) {
      const slip = 1 - ctx.rotation[i] / ((2 * m.mainsHz) / m.poles);
      beat += (2 * Math.PI * Math.max(0.3, 2 * slip * m.mainsHz)) / ctx.sampleRate;
      env[i] = (1 + s * s) * (1 + 0.5 * s * s * Math.cos(beat));
    }
    ctx.humEnvelope = env;
  },
  render(ctx, s) {
    const m = ctx.machine;
    const out = new Float32Array(ctx.n);
    const w = (2 * Math.PI * 2 * m.mainsHz) / ctx.sampleRate;
    for (let i = 0; i < ctx.n; i++) {
      const carrier = w * i;
      out[i] = ctx.run[i] * (Math.sin(carrier + ctx.phase[i]) + Math.sin(carrier - ctx.phase[i]));
    }
    normalizeRms(out);
    for (let i = 0; i < ctx.n; i++) out[i] *= 0.06 * grow(s);
    return out;
  },
};

const starvation: FaultModel = {
  id: 'starvation',
  summary:
    'refrigerant starvation/overheating: thin suction gas weakens pulsation and impacts while flash gas hisses above 1.5 kHz (the spectrum tilts upward), and at higher severity the thermal protector short-cycles the motor',
  shape(ctx, s, rng) {
    // Thin, low-density suction gas: weaker pulsation and valve impacts (the low end drops) while
    // flash gas hisses through the expansion device and the hot discharge line (the top end rises).
    ctx.harmonicGain *= 1 - 0.5 * s;
    ctx.impactGain *= 1 - 0.4 * s;
    ctx.flowGain *= 1 - 0.3 * s;
    for (let i = 0; i < ctx.n; i++) ctx.load[i] *= 1 - 0.3 * s;
    if (s >= 0.6 && rng.chance(2 * (s - 0.5))) {
      // Short cycling: the motor stops (coasting down over ~0.4 s) and restarts within the clip.
      const n = ctx.n;
      const sr = ctx.sampleRate;
      const start = Math.floor(rng.uniform(0.15, 0.55) * n);
      const len = Math.floor((0.1 + 0.25 * s) * n);
      const coast = 0.4 * sr;
      const spin = 0.3 * sr;
      for (let i = start; i < n; i++) {
        const t = i - start;
        let r: number;
        if (t < coast) r = 1 - t / coast;
        else if (t < len) r = 0;
        else if (t < len + spin) r = (t - len) / spin;
        else r = 1;
        ctx.run[i] = Math.min(ctx.run[i], r);
      }
    }
  },
  render(ctx, s, rng) {
    const hiss = bandNoise(rng, ctx.n, 1500, 6500, ctx.sampleRate);
    for (let i = 0; i < ctx.n; i++) hiss[i] *= ctx.run[i];
    if (rms(hiss) > 0) normalizeRms(hiss);
    for (let i = 0; i < ctx.n; i++) hiss[i] *= 0.6 * grow(s);
    return hiss;
  },
};

export const FAULTS: Readonly<Record<FaultId, FaultModel>> = {
  bearing,
  'valve-leak': valveLeak,
  'loose-mount': looseMount,
  slugging,
  electrical,
  starvation,
};

/** The bearing defect frequency (Hz) of a machine at a given load (for tests and docs). */
export function bpfoHz(machine: ClipContext['machine'], load: number): number {
  return rotationHz(machine, load) * machine.bpfoFactor;
}
