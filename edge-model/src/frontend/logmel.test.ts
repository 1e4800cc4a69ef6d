import { describe, expect, it } from 'vitest';
import { FRONTEND, type FrontendConfig } from './config.ts';
import {
  computeLogMel,
  frameCount,
  hannWindow,
  hzToMel,
  LogMelStream,
  melFilterbank,
  melToHz,
  powerSpectrum,
  validateConfig,
} from './logmel.ts';

const binHz = (k: number) => (k * FRONTEND.sampleRate) / FRONTEND.fftSize;

function tone(hz: number, n: number, amp = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / FRONTEND.sampleRate);
  return x;
}

function noise(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) * 0.5;
  }
  return x;
}

describe('mel filterbank', () => {
  const bank = melFilterbank();
  const edgesHz = (() => {
    const lo = hzToMel(FRONTEND.fmin);
    const hi = hzToMel(FRONTEND.fmax);
    return Array.from({ length: FRONTEND.nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (FRONTEND.nMels + 1)));
  })();

  it('has nMels filters of fftSize/2+1 bins, none empty', () => {
    expect(bank).toHaveLength(FRONTEND.nMels);
    for (const w of bank) {
      expect(w).toHaveLength(FRONTEND.fftSize / 2 + 1);
      expect(w.some((v) => v > 0)).toBe(true);
    }
  });

  it('peaks at increasing bins with weights in [0, 1] following unit-peak triangles', () => {
    let last = -1;
    for (let m = 0; m < bank.length; m++) {
      const w = bank[m];
      const peak = w.indexOf(Math.max(...w));
      expect(peak).toBeGreaterThan(last);
      last = peak;
      expect(Math.min(...w)).toBe(0);
      expect(Math.max(...w)).toBeLessThanOrEqual(1);
      // Unit peak: the weight at a bin equals the triangle through (left,0), (centre,1), (right,0).
      const [l, c, r] = [edgesHz[m], edgesHz[m + 1], edgesHz[m + 2]];
      let err = 0;
      for (let k = 0; k < w.length; k++) {
        const f = binHz(k);
        const tri = f <= l || f >= r ? 0 : f < c ? (f - l) / (c - l) : (r - f) / (r - c);
        err = Math.max(err, Math.abs(w[k] - tri));
      }
      expect(err, `band ${m}`).toBeLessThan(1e-6);
    }
    // The highest bands are wide enough that a bin lands near the centre: peak close to 1.
    expect(Math.max(...bank[FRONTEND.nMels - 1])).toBeGreaterThan(0.9);
  });

  it('covers fmin..fmax and nothing outside it', () => {
    for (let k = 0; k <= FRONTEND.fftSize / 2; k++) {
      const sum = bank.reduce((s, w) => s + w[k], 0);
      const f = binHz(k);
      if (f > FRONTEND.fmin && f < FRONTEND.fmax) expect(sum).toBeGreaterThan(0);
      if (f <= FRONTEND.fmin || f >= FRONTEND.fmax) expect(sum).toBe(0);
    }
  });

  it('uses the HTK mel scale', () => {
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2), 9);
    expect(melToHz(hzToMel(1234.5))).toBeCloseTo(1234.5, 9);
  });
});

describe('power spectrum', () => {
  it('is the periodic-Hann-windowed |DFT|^2 without normalisation (checked against a naive DFT)', () => {
    const frame = noise(FRONTEND.frameLength, 11);
    const p = powerSpectrum(frame);
    const w = hannWindow(FRONTEND.frameLength);
    expect(w[0]).toBe(0);
    expect(w[FRONTEND.frameLength / 2]).toBe(1);
    const N = FRONTEND.fftSize;
    for (const k of [0, 1, 37, 256, 511, 512]) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < FRONTEND.frameLength; n++) {
        re += frame[n] * w[n] * Math.cos((2 * Math.PI * k * n) / N);
        im -= frame[n] * w[n] * Math.sin((2 * Math.PI * k * n) / N);
      }
      expect(p[k]).toBeCloseTo(re * re + im * im, 6);
    }
    expect(p).toHaveLength(N / 2 + 1);
    expect(() => powerSpectrum(new Float32Array(10))).toThrow(/expected 1024/);
  });

  it('puts a bin-centred full-scale tone at (N/4)^2 in its bin', () => {
    const k = 64;
    const p = powerSpectrum(tone(binHz(k), FRONTEND.frameLength, 1));
    // Periodic Hann has coherent gain 1/2, so |X_k| = N/2 * 1/2 * amplitude.
    expect(p[k] / (FRONTEND.fftSize / 4) ** 2).toBeCloseTo(1, 6);
  });
});

describe('computeLogMel', () => {
  it('frames without centre padding', () => {
    expect(frameCount(1023)).toBe(0);
    expect(frameCount(1024)).toBe(1);
    expect(frameCount(1535)).toBe(1);
    expect(frameCount(1536)).toBe(2);
    expect(frameCount(16000)).toBe(30);
    const lm = computeLogMel(new Float32Array(16000));
    expect(lm.frames).toBe(30);
    expect(lm.nMels).toBe(64);
    expect(lm.data).toHaveLength(30 * 64);
    expect(computeLogMel(new Float32Array(100)).frames).toBe(0);
  });

  it('gives the log floor (-100 dB) for silence', () => {
    const lm = computeLogMel(new Float32Array(4096));
    for (const v of lm.data) expect(v).toBeCloseTo(-100, 5);
  });

  for (const hz of [100, 440, 1000, 3150, 7000]) {
    it(`peaks in the band whose centre is nearest ${hz} Hz`, () => {
      const lm = computeLogMel(tone(hz, 8192));
      const bank = melFilterbank();
      // The band with the largest weight at the tone's frequency.
      const k = Math.round((hz * FRONTEND.fftSize) / FRONTEND.sampleRate);
      let want = 0;
      for (let m = 1; m < bank.length; m++) if (bank[m][k] > bank[want][k]) want = m;
      for (let f = 0; f < lm.frames; f++) {
        const row = lm.data.subarray(f * 64, f * 64 + 64);
        const got = row.indexOf(Math.max(...row));
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1);
        // Far from the tone, the Hann sidelobes keep the bands > 60 dB down.
        if (want > 20) expect(row[0]).toBeLessThan(row[got] - 60);
      }
    });
  }

  it('scales with level: +6.02 dB for twice the amplitude', () => {
    const a = computeLogMel(tone(1000, 4096, 0.25));
    const b = computeLogMel(tone(1000, 4096, 0.5));
    const peak = a.data.indexOf(Math.max(...a.data));
    expect(b.data[peak] - a.data[peak]).toBeCloseTo(20 * Math.log10(2), 3);
  });

  it('rejects non-finite PCM and nonsense configs', () => {
    const x = new Float32Array(2048);
    x[1500] = Number.NaN;
    expect(() => computeLogMel(x)).toThrow(/sample 1500 is NaN/);
    const bad = (patch: Partial<FrontendConfig>) => () => validateConfig({ ...FRONTEND, ...patch });
    expect(bad({ fftSize: 1000 })).toThrow(/power of two/);
    expect(bad({ fftSize: 512 })).toThrow(/>= frameLength/);
    expect(bad({ fmax: 9000 })).toThrow(/sampleRate\/2/);
    expect(bad({ hop: 0 })).toThrow(/hop/);
    expect(bad({ logFloor: 0 })).toThrow(/logFloor/);
  });

  it('follows a different config (fewer bands, smaller FFT)', () => {
    const cfg: FrontendConfig = { ...FRONTEND, frameLength: 400, fftSize: 512, hop: 160, nMels: 40, fmin: 125, fmax: 7500 };
    const lm = computeLogMel(tone(1000, 16000), cfg);
    expect(lm.frames).toBe(1 + Math.floor((16000 - 400) / 160));
    expect(lm.nMels).toBe(40);
  });
});

describe('LogMelStream', () => {
  const pcm = noise(16000 + 777, 5);
  pcm.set(tone(1000, 4000), 3000);
  const batch = computeLogMel(pcm);

  function streamed(chunks: number[], cfg: FrontendConfig = FRONTEND): Float32Array {
    const s = new LogMelStream(cfg);
    const parts: Float32Array[] = [];
    let at = 0;
    let i = 0;
    while (at < pcm.length) {
      const n = Math.min(chunks[i++ % chunks.length], pcm.length - at);
      parts.push(s.push(pcm.subarray(at, at + n)).data);
      at += n;
    }
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    expect(s.framesEmitted * s.cfg.nMels).toBe(out.length);
    return out;
  }

  for (const chunks of [[1], [511, 513], [1024], [160, 3, 999], [20000]]) {
    it(`matches batch bit for bit with chunks of ${chunks.join('/')}`, () => {
      expect(streamed(chunks)).toEqual(batch.data);
    });
  }

  it('handles hop > frameLength (skipped samples) the same way as batch', () => {
    const cfg: FrontendConfig = { ...FRONTEND, frameLength: 256, fftSize: 256, hop: 700, nMels: 16 };
    expect(streamed([300, 17], cfg)).toEqual(computeLogMel(pcm, cfg).data);
  });

  it('starts over after reset()', () => {
    const s = new LogMelStream();
    s.push(pcm.subarray(0, 5000));
    s.reset();
    expect(s.framesEmitted).toBe(0);
    expect(s.push(pcm).data).toEqual(batch.data);
  });
});
