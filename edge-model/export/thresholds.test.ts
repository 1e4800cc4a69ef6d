import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCard } from './card.ts';
import { lcg, repoRoot } from './test-helpers.ts';
import { chooseThresholds, LEARN_MAX_FACTOR, learnBounds, normalQuantile } from './thresholds.ts';

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

  it('bounds what a device may learn: never below the factory alert, at most LEARN_MAX_FACTOR times it', () => {
    const scores = [0.1, 0.12, 0.11, 0.13, 0.1];
    const t = chooseThresholds(scores);
    expect(t.learnMin).toBe(t.alert);
    expect(t.learnMax).toBeCloseTo(LEARN_MAX_FACTOR * t.alert, 12);
    expect(LEARN_MAX_FACTOR).toBe(4);
    expect(chooseThresholds(scores, { learnMaxFactor: 2.5 }).learnMax).toBeCloseTo(2.5 * t.alert, 12);
    expect(() => chooseThresholds(scores, { learnMaxFactor: 0.5 })).toThrow(/learnMaxFactor must be at least 1/);
    expect(learnBounds(0.2)).toEqual({ learnMin: 0.2, learnMax: 0.8 });
  });

  const defaultCard = path.join(repoRoot, 'models', 'default', 'card.json');
  it.skipIf(!existsSync(defaultCard))('the card schema takes learn bounds only together and around the alert', () => {
    const card = JSON.parse(readFileSync(defaultCard, 'utf8'));
    const t = card.thresholds;
    const { learnMin: _a, learnMax: _b, ...without } = t;
    expect(parseCard({ ...card, thresholds: without }).thresholds.learnMin).toBeUndefined();
    const ok = parseCard({ ...card, thresholds: { ...without, ...learnBounds(t.alert) } });
    expect(ok.thresholds.learnMax).toBeCloseTo(4 * t.alert, 12);
    expect(() => parseCard({ ...card, thresholds: { ...without, learnMin: t.alert } })).toThrow(
      /learnMin and learnMax come together/,
    );
    expect(() => parseCard({ ...card, thresholds: { ...without, learnMin: t.alert * 2, learnMax: t.alert * 4 } })).toThrow(
      /learnMin <= alert <= learnMax/,
    );
    expect(() => parseCard({ ...card, thresholds: { ...without, learnMin: -1, learnMax: t.alert * 4 } })).toThrow(
      /learnMin: must be positive/,
    );
  });
});
