import { describe, expect, it } from 'vitest';
import { resample, resampledLength } from './resample.ts';

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** RMS level in dB of the middle of a signal (away from the zero-padded edges). */
function midLevelDb(x: Float32Array): number {
  const a = Math.floor(x.length * 0.2);
  const b = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / (b - a));
}

const toneDb = (amp: number) => 20 * Math.log10(amp / Math.SQRT2);

describe('resample', () => {
  it('gives the expected lengths for 44.1k, 48k, 8k, 22.05k -> 16k', () => {
    expect(resample(new Float32Array(44100), 44100, 16000).length).toBe(16000);
    expect(resample(new Float32Array(48000 * 2), 48000, 16000).length).toBe(32000);
    expect(resample(new Float32Array(8000), 8000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(22050), 22050, 16000).length).toBe(16000);
    // Partial input periods round up so the last input samples are represented.
    expect(resampledLength(441, 44100, 16000)).toBe(160);
    expect(resampledLength(442, 44100, 16000)).toBe(161);
    expect(resample(new Float32Array(0), 48000, 16000).length).toBe(0);
  });

  for (const [from, hz] of [
    [44100, 1000],
    [48000, 7000],
    [8000, 440],
    [22050, 3000],
    [11025, 4500],
    [44123, 2500],
  ] as const) {
    it(`keeps a ${hz} Hz tone's level within 0.1 dB (${from} -> 16000)`, () => {
      const out = resample(tone(hz, from, 0.5), from, 16000);
      expect(Math.abs(midLevelDb(out) - toneDb(0.5))).toBeLessThan(0.1);
      // And it is still that tone: compare against the ideal 16 kHz tone sample by sample.
      const ideal = tone(hz, 16000, 0.5);
      const a = Math.floor(out.length * 0.2);
      let err = 0;
      for (let i = a; i < out.length * 0.8; i++) err = Math.max(err, Math.abs(out[i] - ideal[i]));
      expect(err).toBeLessThan(0.005);
    });
  }

  for (const [from, hz] of [
    [48000, 12000],
    [44100, 8500],
    [44100, 20000],
    [22050, 9000],
  ] as const) {
    it(`attenuates a ${hz} Hz tone above the new Nyquist by >= 60 dB (${from} -> 16000)`, () => {
      const out = resample(tone(hz, from, 0.5), from, 16000);
      expect(midLevelDb(out) - toneDb(0.5)).toBeLessThan(-60);
    });
  }

  it('returns a copy for equal rates and validates its arguments', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = resample(x, 16000, 16000);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 16000)).toThrow(/fromRate must be a positive integer/);
    expect(() => resample(x, 16000, 1.5)).toThrow(/toRate/);
    expect(() => resample(x, 8000, 16000, { passband: 1 })).toThrow(/passband/);
  });
});
