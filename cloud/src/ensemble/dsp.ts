/**
 * The signal-processing building blocks of the ensemble's feature extractor. Everything here is
 * plain arithmetic on typed arrays (fft.js for the transforms) so a clip's features are
 * bit-for-bit deterministic and cheap: one spectrum per frame, shared by every spectral feature.
 */
import FFT from 'fft.js';

const fftCache = new Map<number, FFT>();
const windowCache = new Map<number, Float64Array>();

export function fftOf(size: number): FFT {
  let f = fftCache.get(size);
  if (!f) {
    f = new FFT(size);
    fftCache.set(size, f);
  }
  return f;
}

/** Periodic Hann window (the front end's window), cached per length. */
export function hann(n: number): Float64Array {
  let w = windowCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windowCache.set(n, w);
  }
  return w;
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/**
 * Power spectrum |X_k|^2, k = 0..size/2, of `x[start .. start+len)` times a Hann window of `len`,
 * zero-padded to `size`. Writes into `out` (length size/2+1).
 */
export function powerSpectrumAt(
  x: ArrayLike<number>,
  start: number,
  len: number,
  size: number,
  out: Float64Array,
  scratch: { input: number[]; complex: number[] },
): void {
  const f = fftOf(size);
  const w = hann(len);
  const input = scratch.input;
  for (let i = 0; i < len; i++) input[i] = x[start + i] * w[i];
  for (let i = len; i < size; i++) input[i] = 0;
  f.realTransform(scratch.complex, input);
  const c = scratch.complex;
  for (let k = 0; k <= size / 2; k++) {
    const re = c[2 * k];
    const im = c[2 * k + 1];
    out[k] = re * re + im * im;
  }
}

export function makeScratch(size: number): { input: number[]; complex: number[] } {
  return { input: new Array<number>(size).fill(0), complex: fftOf(size).createComplexArray() as number[] };
}

/**
 * Welch power spectral density: mean of Hann-windowed periodograms of `seg` samples with 50 %
 * overlap. Needs at least one full segment.
 */
export function welch(x: ArrayLike<number>, seg: number): Float64Array {
  const n = x.length;
  if (n < seg) throw new RangeError(`welch: need at least ${seg} samples, got ${n}`);
  const hop = seg >> 1;
  const count = 1 + Math.floor((n - seg) / hop);
  const acc = new Float64Array(seg / 2 + 1);
  const p = new Float64Array(seg / 2 + 1);
  const scratch = makeScratch(seg);
  for (let s = 0; s < count; s++) {
    powerSpectrumAt(x, s * hop, seg, seg, p, scratch);
    for (let k = 0; k < acc.length; k++) acc[k] += p[k];
  }
  for (let k = 0; k < acc.length; k++) acc[k] /= count;
  return acc;
}

const hzToMel = (f: number) => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number) => 700 * (10 ** (m / 2595) - 1);

/**
 * HTK-mel triangles of unit peak between fmin and fmax, evaluated at bin frequencies
 * k·sampleRate/fftSize (the definition in contract A), stored sparsely as [firstBin, weights].
 */
export interface SparseFilter {
  readonly start: number;
  readonly weights: Float64Array;
}

export function melFilters(nMels: number, fftSize: number, sampleRate: number, fmin: number, fmax: number): SparseFilter[] {
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const bins = fftSize / 2 + 1;
  const filters: SparseFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    const [a, b, c] = [edges[m], edges[m + 1], edges[m + 2]];
    let first = -1;
    const ws: number[] = [];
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      const w = f <= a || f >= c ? 0 : f <= b ? (f - a) / (b - a) : (c - f) / (c - b);
      if (w > 0) {
        if (first < 0) first = k;
        ws.push(w);
      } else if (first >= 0) break;
    }
    filters.push({ start: Math.max(first, 0), weights: Float64Array.from(ws) });
  }
  return filters;
}

/** Orthonormal DCT-II matrix rows [nCoeffs][n] (the usual MFCC transform). */
export function dctMatrix(nCoeffs: number, n: number): Float64Array[] {
  return Array.from({ length: nCoeffs }, (_, k) => {
    const row = new Float64Array(n);
    const scale = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) row[i] = scale * Math.cos((Math.PI * k * (i + 0.5)) / n);
    return row;
  });
}

/**
 * Biquad high-pass (RBJ cookbook) applied in place. Two of them with Q 0.5412 and 1.3066 make a
 * 4th-order Butterworth high-pass.
 */
export function highpassInPlace(x: Float64Array, cutoff: number, sampleRate: number, q: number): void {
  const w0 = (2 * Math.PI * cutoff) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const b2 = b0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = xi;
    y2 = y1;
    y1 = yi;
    x[i] = yi;
  }
}

/** Rectified envelope averaged over blocks of `factor` samples (a crude low-pass + decimation). */
export function rectifiedEnvelope(x: ArrayLike<number>, factor: number): Float64Array {
  const n = Math.floor(x.length / factor);
  const env = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * factor;
    for (let j = 0; j < factor; j++) s += Math.abs(x[o + j]);
    env[i] = s / factor;
  }
  return env;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}

export function std(a: ArrayLike<number>, m = mean(a)): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return a.length ? Math.sqrt(s / a.length) : 0;
}

export function quantile(a: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(a).sort();
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(a: ArrayLike<number>): number {
  return quantile(a, 0.5);
}

export const db = (p: number) => 10 * Math.log10(Math.max(p, 1e-12));

/** Biased autocorrelation r[lag]/r[0] for lags 0..maxLag, via FFT (zero-padded: no wrap-around). */
export function autocorrelation(x: Float64Array, maxLag: number): Float64Array {
  const size = nextPow2(2 * x.length);
  const f = fftOf(size);
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < x.length; i++) input[i] = x[i];
  const spec = f.createComplexArray() as number[];
  f.realTransform(spec, input);
  f.completeSpectrum(spec);
  for (let k = 0; k < size; k++) {
    spec[2 * k] = spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
    spec[2 * k + 1] = 0;
  }
  const r = f.createComplexArray() as number[];
  f.inverseTransform(r, spec);
  const out = new Float64Array(Math.min(maxLag, x.length - 1) + 1);
  const r0 = r[0] || 1;
  for (let l = 0; l < out.length; l++) out[l] = r[2 * l] / r0;
  return out;
}
