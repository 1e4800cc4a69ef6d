/**
 * Long-window spectral measurements used to check that each fault shifts the physics it claims
 * (and to describe clips in the README). Not part of the front end: these use one FFT over the
 * whole clip for sub-hertz resolution, which the model never sees.
 */
import FFT from 'fft.js';
import { bandpass, filter, highpass, lowpass } from './dsp.ts';

export interface Spectrum {
  /** Hz per bin. */
  readonly df: number;
  /** Power per bin, bins 0..size/2. */
  readonly power: Float64Array;
}

/** Hann-windowed power spectrum of the whole signal, zero-padded to a power of two (≤ 2^18). */
export function longSpectrum(x: Float32Array, sampleRate: number): Spectrum {
  let size = 1024;
  while (size < x.length && size < 1 << 18) size <<= 1;
  const n = Math.min(x.length, size);
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) input[i] = x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const fft = new FFT(size);
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  return { df: sampleRate / size, power };
}

/** Total power between lo and hi Hz. */
export function bandPower(s: Spectrum, lo: number, hi: number): number {
  let p = 0;
  const a = Math.max(0, Math.ceil(lo / s.df));
  const b = Math.min(s.power.length - 1, Math.floor(hi / s.df));
  for (let k = a; k <= b; k++) p += s.power[k];
  return p;
}

/** Largest bin power within ±tol (relative) of f, summed with its two neighbours (window leakage). */
export function peakPower(s: Spectrum, f: number, tol = 0.03): number {
  const a = Math.max(1, Math.floor((f * (1 - tol)) / s.df));
  const b = Math.min(s.power.length - 2, Math.ceil((f * (1 + tol)) / s.df));
  let best = 0;
  for (let k = a; k <= b; k++) best = Math.max(best, s.power[k - 1] + s.power[k] + s.power[k + 1]);
  return best;
}

/** Median bin power between lo and hi Hz (a robust noise-floor reference). */
export function medianPower(s: Spectrum, lo: number, hi: number): number {
  const a = Math.max(0, Math.ceil(lo / s.df));
  const b = Math.min(s.power.length - 1, Math.floor(hi / s.df));
  const v = Array.from(s.power.subarray(a, b + 1)).sort((x, y) => x - y);
  return v[v.length >> 1] ?? 0;
}

/** Envelope of the lo..hi band (band-pass, rectify, remove the mean): what demodulation analysis reads. */
export function bandEnvelope(x: Float32Array, lo: number, hi: number, sampleRate: number): Float32Array {
  const y = filter(highpass(lo, Math.SQRT1_2, sampleRate), x);
  filter(lowpass(hi, Math.SQRT1_2, sampleRate), y, y);
  let mean = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = Math.abs(y[i]);
    mean += y[i];
  }
  mean /= y.length;
  for (let i = 0; i < y.length; i++) y[i] -= mean;
  return y;
}

/** Energy of consecutive non-overlapping frames of the band lo..hi. */
export function frameEnergies(x: Float32Array, frame: number, lo: number, hi: number, sampleRate: number): Float64Array {
  const y = filter(bandpass(Math.sqrt(lo * hi), Math.sqrt(lo * hi) / (hi - lo), sampleRate), x);
  const out = new Float64Array(Math.floor(y.length / frame));
  for (let f = 0; f < out.length; f++) {
    let e = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) e += y[i] * y[i];
    out[f] = e;
  }
  return out;
}
