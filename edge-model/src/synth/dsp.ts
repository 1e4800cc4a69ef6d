/**
 * Small DSP building blocks for the generator: biquad filters (RBJ audio-EQ cookbook formulas),
 * coloured noise, and a slowly varying control signal. All operate on Float32Array in place or
 * return new buffers; none allocate per sample.
 */
import type { Rng } from './prng.ts';

export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Band-pass with 0 dB peak gain: models a structural mode (a panel, a shell, a bearing race). */
export function bandpass(freq: number, q: number, sampleRate: number): Biquad {
  const w = (2 * Math.PI * Math.min(freq, sampleRate * 0.49)) / sampleRate;
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b1: 0, b2: -alpha / a0, a1: (-2 * Math.cos(w)) / a0, a2: (1 - alpha) / a0 };
}

export function lowpass(freq: number, q: number, sampleRate: number): Biquad {
  const w = (2 * Math.PI * Math.min(freq, sampleRate * 0.49)) / sampleRate;
  const alpha = Math.sin(w) / (2 * q);
  const cw = Math.cos(w);
  const a0 = 1 + alpha;
  return { b0: (1 - cw) / 2 / a0, b1: (1 - cw) / a0, b2: (1 - cw) / 2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

export function highpass(freq: number, q: number, sampleRate: number): Biquad {
  const w = (2 * Math.PI * Math.min(freq, sampleRate * 0.49)) / sampleRate;
  const alpha = Math.sin(w) / (2 * q);
  const cw = Math.cos(w);
  const a0 = 1 + alpha;
  return { b0: (1 + cw) / 2 / a0, b1: -(1 + cw) / a0, b2: (1 + cw) / 2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

/** High shelf (RBJ, shelf slope 1): gain `gainDb` above ~freq, unity below. */
export function highShelf(freq: number, gainDb: number, sampleRate: number): Biquad {
  const A = 10 ** (gainDb / 40);
  const w = (2 * Math.PI * Math.min(freq, sampleRate * 0.49)) / sampleRate;
  const cw = Math.cos(w);
  const alpha = (Math.sin(w) / 2) * Math.SQRT2;
  const sA = 2 * Math.sqrt(A) * alpha;
  const a0 = A + 1 - (A - 1) * cw + sA;
  return {
    b0: (A * (A + 1 + (A - 1) * cw + sA)) / a0,
    b1: (-2 * A * (A - 1 + (A + 1) * cw)) / a0,
    b2: (A * (A + 1 + (A - 1) * cw - sA)) / a0,
    a1: (2 * (A - 1 - (A + 1) * cw)) / a0,
    a2: (A + 1 - (A - 1) * cw - sA) / a0,
  };
}

/** Runs a biquad (direct form I) over `input`, writing into `out` (may be the same array). */
export function filter(f: Biquad, input: Float32Array, out: Float32Array = new Float32Array(input.length)): Float32Array {
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    const y = f.b0 * x + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
  return out;
}

export function whiteNoise(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.gauss();
  return out;
}

/**
 * Approximately pink (1/f) noise: white noise summed through one-pole low-passes whose corners
 * are spaced two octaves apart, each weighted so every stage adds equal power per octave.
 */
export function pinkNoise(rng: Rng, n: number, sampleRate: number): Float32Array {
  const corners = [40, 160, 640, 2560, 10240];
  const state = new Float64Array(corners.length);
  const coef = corners.map((fc) => Math.exp((-2 * Math.PI * fc) / sampleRate));
  const weight = corners.map((fc) => Math.sqrt(fc / corners[0]) * 0.1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < corners.length; k++) {
      state[k] = coef[k] * state[k] + (1 - coef[k]) * rng.gauss();
      s += state[k] / weight[k];
    }
    out[i] = s;
  }
  return normalizeRms(out);
}

/** White noise band-limited to [lo, hi] Hz by two second-order sections each side. */
export function bandNoise(rng: Rng, n: number, lo: number, hi: number, sampleRate: number): Float32Array {
  const x = whiteNoise(rng, n);
  const hp = highpass(lo, Math.SQRT1_2, sampleRate);
  const lp = lowpass(hi, Math.SQRT1_2, sampleRate);
  filter(hp, x, x);
  filter(hp, x, x);
  filter(lp, x, x);
  filter(lp, x, x);
  return normalizeRms(x);
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}

/** Scales to unit RMS (a silent buffer stays silent). */
export function normalizeRms(x: Float32Array): Float32Array {
  const r = rms(x);
  if (r > 0) for (let i = 0; i < x.length; i++) x[i] /= r;
  return x;
}

/** out += gain * x */
export function addScaled(out: Float32Array, x: Float32Array, gain: number): void {
  for (let i = 0; i < out.length; i++) out[i] += gain * x[i];
}

/**
 * A smooth random control signal (load drift, flow turbulence level): Gaussian knots every
 * `stepS` seconds, random-walk with reversion to 0, cosine-interpolated per sample.
 */
export function slowWalk(rng: Rng, n: number, sampleRate: number, stepS: number, sigma: number): Float32Array {
  const step = Math.max(1, Math.round(stepS * sampleRate));
  const knots = Math.ceil(n / step) + 2;
  const k = new Float64Array(knots);
  let v = rng.gauss() * sigma;
  for (let i = 0; i < knots; i++) {
    v = 0.8 * v + 0.6 * sigma * rng.gauss();
    k[i] = v;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i / step;
    const j = Math.floor(pos);
    const t = (1 - Math.cos(Math.PI * (pos - j))) / 2;
    out[i] = k[j] * (1 - t) + k[j + 1] * t;
  }
  return out;
}
