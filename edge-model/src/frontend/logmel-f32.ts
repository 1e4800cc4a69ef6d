import { FRONTEND, type FrontendConfig } from './config.ts';
import { frameCount, type LogMel, melFilterbank, validateConfig } from './logmel.ts';

/**
 * The front end as a straightforward float32 C++ port computes it (esp-dsp style radix-2 complex
 * FFT, every multiply and add rounded to float32). Not used for features: it exists to measure how
 * far an honest float32 implementation drifts from the float64 reference, which is what the golden
 * tolerance must allow for.
 */

const f = Math.fround;

function radix2(re: Float32Array, im: Float32Array, cos: Float32Array, sin: Float32Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const step = n / len;
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        const a = i + k;
        const b = a + half;
        const tr = f(f(re[b] * wr) + f(im[b] * wi));
        const ti = f(f(im[b] * wr) - f(re[b] * wi));
        re[b] = f(re[a] - tr);
        im[b] = f(im[a] - ti);
        re[a] = f(re[a] + tr);
        im[a] = f(im[a] + ti);
      }
    }
  }
}

function f32Tables(cfg: FrontendConfig) {
  validateConfig(cfg);
  const N = cfg.fftSize;
  return {
    window: Float32Array.from({ length: cfg.frameLength }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / cfg.frameLength)),
    // Twiddles e^{-2πik/N} = cos - i·sin; the butterfly above uses +sin with that sign folded in.
    cos: Float32Array.from({ length: N / 2 }, (_, k) => Math.cos((2 * Math.PI * k) / N)),
    sin: Float32Array.from({ length: N / 2 }, (_, k) => Math.sin((2 * Math.PI * k) / N)),
    re: new Float32Array(N),
    im: new Float32Array(N),
  };
}

function powerInto(
  pcm: ArrayLike<number>,
  offset: number,
  cfg: FrontendConfig,
  t: ReturnType<typeof f32Tables>,
  power: Float32Array,
): void {
  const { re, im, window } = t;
  re.fill(0);
  im.fill(0);
  for (let i = 0; i < cfg.frameLength; i++) re[i] = f(pcm[offset + i] * window[i]);
  radix2(re, im, t.cos, t.sin);
  for (let k = 0; k <= cfg.fftSize / 2; k++) power[k] = f(f(re[k] * re[k]) + f(im[k] * im[k]));
}

/** float32 power spectrum of one frame (frameLength samples; windowed here). */
export function powerSpectrumF32(frame: ArrayLike<number>, cfg: FrontendConfig = FRONTEND): Float32Array {
  const power = new Float32Array(cfg.fftSize / 2 + 1);
  powerInto(frame, 0, cfg, f32Tables(cfg), power);
  return power;
}

export function computeLogMelF32(pcm: Float32Array, cfg: FrontendConfig = FRONTEND): LogMel {
  const tables = f32Tables(cfg);
  const bank = melFilterbank(cfg);
  const frames = frameCount(pcm.length, cfg);
  const data = new Float32Array(frames * cfg.nMels);
  const power = new Float32Array(cfg.fftSize / 2 + 1);
  for (let fr = 0; fr < frames; fr++) {
    powerInto(pcm, fr * cfg.hop, cfg, tables, power);
    for (let m = 0; m < cfg.nMels; m++) {
      const w = bank[m];
      let acc = 0;
      for (let k = 0; k < w.length; k++) if (w[k] !== 0) acc = f(acc + f(w[k] * power[k]));
      data[fr * cfg.nMels + m] = f(10 * f(Math.log10(Math.max(acc, f(cfg.logFloor)))));
    }
  }
  return { frames, nMels: cfg.nMels, data };
}
