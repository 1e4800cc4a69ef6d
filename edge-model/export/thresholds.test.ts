import { describe, expect, it } from 'vitest';
import { lcg } from './test-helpers.ts';
import { chooseThresholds, normalQuantile } from './thresholds.ts';

describe('thresholds', () => {
  it('inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(1 - 1 / 60480)).toBeCloseTo(4.153, 2);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('puts the alert at the 1 − 1/60,480 quantile of a log-normal fit for one false alert a week at 10 s', () => {
    const rnd = lcg(9);
    // Box–Muller log-normal sample with mu = -2, sigma = 0.2.
    const scores = Array.from({ length: 400 }, () => {
      const u = rnd() + 0.5 || 1e-9;
      const v = rnd() + 0.5;
      return Math.exp(-2 + 0.2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    });
    const t = chooseThresholds(scores);
    expect(t.fit.mu).toBeCloseTo(-2, 1);
    expect(t.fit.sigma).toBeCloseTo(0.2, 1);
    expect(t.alert).toBeCloseTo(Math.exp(t.fit.mu + normalQuantile(1 - 1 / 60480) * t.fit.sigma), 9);
    expect(t.alert).toBeGreaterThanOrEqual(Math.max(...scores));
    expect(t.borderlineLow).toBeLessThan(t.alert);
    expect(t.borderlineHigh).toBe(t.alert);
    // A laxer target gives a lower threshold; a slower cadence too (fewer windows a week).
    expect(chooseThresholds(scores, { targetFalseAlarmsPerWeek: 100 }).alert).toBeLessThan(t.alert);
    expect(chooseThresholds(scores, { reportingCadenceS: 600 }).alert).toBeLessThan(t.alert);
  });

  it('never sets the alert below the largest held-out normal score, and needs a few scores', () => {
    const t = chooseThresholds([1, 1.01, 0.99, 5]);
    expect(t.alert).toBeGreaterThanOrEqual(5);
    expect(() => chooseThresholds([1, 2])).toThrow(/at least 3 held-out window scores/);
  });
});
