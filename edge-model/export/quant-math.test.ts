import { describe, expect, it } from 'vitest';
import {
  activationRangeInt8,
  frexp,
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMulBigInt,
} from './quant-math.ts';
import { lcg } from './test-helpers.ts';

describe('quantizeMultiplier', () => {
  it('matches frexp-based values for exact and inexact multipliers', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });
  it('renormalises when rounding reaches 2^31 and flushes tiny values to zero', () => {
    // q just below 1 rounds up to 2^31 → halve and bump the shift.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
  });
  it('frexp gives a mantissa in [0.5, 1) that reconstructs the value', () => {
    const rnd = lcg(3);
    for (let i = 0; i < 200; i++) {
      const v = Math.exp(rnd() * 40);
      const [q, e] = frexp(v);
      expect(q).toBeGreaterThanOrEqual(0.5);
      expect(q).toBeLessThan(1);
      expect(q * 2 ** e).toBe(v);
    }
  });
});

describe('fixed-point helpers', () => {
  it('SaturatingRoundingDoublingHighMul rounds to nearest and saturates the one overflow case', () => {
    expect(saturatingRoundingDoublingHighMul(-2147483648, -2147483648)).toBe(2147483647);
    expect(saturatingRoundingDoublingHighMul(2 ** 30, 2 ** 30)).toBe(2 ** 29);
    // (3 · 2^30 + 2^30) / 2^31 = 2 exactly; negatives round symmetrically.
    expect(saturatingRoundingDoublingHighMul(3, 2 ** 30)).toBe(2);
    expect(saturatingRoundingDoublingHighMul(-3, 2 ** 30)).toBe(-1);
  });
  it('RoundingDivideByPOT rounds half away from zero', () => {
    expect(roundingDivideByPOT(3, 1)).toBe(2);
    expect(roundingDivideByPOT(-3, 1)).toBe(-2);
    expect(roundingDivideByPOT(5, 2)).toBe(1);
    expect(roundingDivideByPOT(6, 2)).toBe(2);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    expect(roundingDivideByPOT(-5, 2)).toBe(-1);
  });
  it('MultiplyByQuantizedMultiplier stays within one of the exact real product', () => {
    const rnd = lcg(11);
    for (let i = 0; i < 2000; i++) {
      const real = Math.exp(rnd() * 12 - 4); // 0.003 .. 0.04-ish and above 1
      const x = Math.round(rnd() * 2e6);
      const { multiplier, shift } = quantizeMultiplier(real);
      const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
      expect(Math.abs(got - x * real)).toBeLessThanOrEqual(1);
    }
  });
});

describe('activation ranges', () => {
  it('clamps RELU at the zero point and RELU6 at 6', () => {
    expect(activationRangeInt8('NONE', 0.1, 3)).toEqual([-128, 127]);
    expect(activationRangeInt8('RELU', 0.1, -128)).toEqual([-128, 127]);
    expect(activationRangeInt8('RELU', 0.1, -20)).toEqual([-20, 127]);
    expect(activationRangeInt8('RELU6', 0.1, -128)).toEqual([-128, -68]);
  });
});

describe('double-based SRDHM', () => {
  it('equals the BigInt version on random and extreme operands', () => {
    const rnd = lcg(5);
    const extremes = [INT32_MIN, INT32_MIN + 1, -1, 0, 1, 2 ** 30, INT32_MAX, -(2 ** 30), 12345, -98765];
    const pairs: [number, number][] = [];
    for (const a of extremes) for (const b of extremes) pairs.push([a, b]);
    for (let i = 0; i < 20000; i++) {
      const a = Math.round(rnd() * 2 * (rnd() > 0 ? 2 ** 31 - 1 : 2 ** 20));
      const b = Math.round(rnd() * 2 * (2 ** 31 - 1));
      pairs.push([a, b]);
    }
    for (const [a, b] of pairs) {
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(saturatingRoundingDoublingHighMulBigInt(a, b));
    }
  });
});
