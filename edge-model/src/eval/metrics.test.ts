import { describe, expect, it } from 'vitest';
import { Rng } from '../synth/prng.ts';
import { MetricError, partialAuc, rocAuc, standardizedPartialAuc } from './metrics.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('rocAuc', () => {
  it('matches a hand count of winning (anomaly, normal) pairs', () => {
    // Pairs: 0.35 beats 0.1 only; 0.8 beats both → 3 of 4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('counts ties as half a win', () => {
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
    // Anomalies {2, 1}, normals {1, 0}: 2>1, 2>0, 1=1 (½), 1>0 → 3.5 / 4.
    expect(rocAuc([2, 1, 1, 0], ['anomaly', 'anomaly', 'normal', 'normal'])).toBeCloseTo(0.875, 12);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([3, 4, 1, 2], [true, true, false, false])).toBe(1);
    expect(rocAuc([1, 2, 3, 4], [true, true, false, false])).toBe(0);
  });

  it('rejects one-class input, mismatched lengths and non-finite scores with a clear error', () => {
    expect(() => rocAuc([1, 2], [0, 0])).toThrow(/need both normal and anomalous/);
    expect(() => rocAuc([1, 2], [0])).toThrow(MetricError);
    expect(() => rocAuc([1, Number.NaN], [0, 1])).toThrow(/score 1 is NaN/);
  });
});

describe('partialAuc (DCASE, max FPR 0.1)', () => {
  const normals = range(10); // scores 0..9: the top normal (9) alone spans FPR 0..0.1

  it('counts only pairs against the top ⌊pN⁻⌋ normal clips', () => {
    // Only anomaly 9.5 beats normal 9 → 1 of 3 pairs.
    const scores = [...normals, 9.5, 8.5, 5];
    const labels = [...normals.map(() => 0), 1, 1, 1];
    expect(partialAuc(scores, labels)).toBeCloseTo(1 / 3, 12);
    // Full AUC: 9.5 beats 10, 8.5 beats 9, 5 beats 5 and ties one (½).
    expect(rocAuc(scores, labels)).toBeCloseTo((10 + 9 + 5.5) / 30, 12);
  });

  it('counts a tie with the boundary normal clip as half', () => {
    // 9.5 beats 9 (1), 9 ties 9 (½) → 1.5 / 2.
    const scores = [...normals, 9.5, 9];
    const labels = [...normals.map(() => 0), 1, 1];
    expect(partialAuc(scores, labels)).toBeCloseTo(0.75, 12);
  });

  it('interpolates when p·N⁻ is not a whole number', () => {
    // 4 normals: the first false positive jumps FPR to 0.25; the curve is flat at TPR 0.5 up to 0.1.
    expect(partialAuc([0, 1, 2, 3, 3.5, 2.5], [0, 0, 0, 0, 1, 1])).toBeCloseTo(0.5, 12);
  });

  it('is 1 when every anomaly outranks every normal clip, 0 when none outranks the top one', () => {
    expect(partialAuc([...normals, 20, 30], [...normals.map(() => 0), 1, 1])).toBe(1);
    expect(partialAuc([...normals, 8.9, 0.5], [...normals.map(() => 0), 1, 1])).toBe(0);
  });

  it('gives p/2 for chance (all scores tied) and 0.5 after McClish standardisation', () => {
    const scores = range(20).map(() => 1);
    const labels = range(20).map((i) => i % 2);
    expect(partialAuc(scores, labels)).toBeCloseTo(0.05, 12);
    expect(standardizedPartialAuc(scores, labels)).toBeCloseTo(0.5, 12);
    expect(partialAuc(scores, labels, 1)).toBeCloseTo(rocAuc(scores, labels), 12);
  });

  it('rejects an out-of-range maxFpr', () => {
    expect(() => partialAuc([0, 1], [0, 1], 0)).toThrow(/maxFpr/);
    expect(() => partialAuc([0, 1], [0, 1], 1.5)).toThrow(/maxFpr/);
  });
});

/** Pair counting straight from the definitions: H(x) = 1 if x > 0, ½ if x = 0, else 0. */
function pairShare(anomalies: number[], normals: number[]): number {
  let wins = 0;
  for (const a of anomalies) for (const n of normals) wins += a > n ? 1 : a === n ? 0.5 : 0;
  return wins / (anomalies.length * normals.length);
}

describe('agreement with the pair-counting definitions on random data', () => {
  it('rocAuc equals the Mann–Whitney share of winning pairs, ties included', () => {
    const rng = new Rng('auc-property');
    for (let trial = 0; trial < 50; trial++) {
      const nA = rng.int(1, 15);
      const nN = rng.int(1, 15);
      const anomalies = Array.from({ length: nA }, () => rng.int(0, 8));
      const normals = Array.from({ length: nN }, () => rng.int(0, 6));
      const scores = [...anomalies, ...normals];
      const labels = [...anomalies.map(() => 1), ...normals.map(() => 0)];
      expect(rocAuc(scores, labels)).toBeCloseTo(pairShare(anomalies, normals), 12);
    }
  });

  it('partialAuc equals DCASE’s count against the top ⌊pN⁻⌋ normal clips when pN⁻ is whole', () => {
    const rng = new Rng('pauc-property');
    for (let trial = 0; trial < 50; trial++) {
      const nN = 10 * rng.int(1, 4); // pN⁻ = 1..4 at p = 0.1
      // Distinct normal scores (so "the top ⌊pN⁻⌋" is well defined); anomalies may tie with them.
      const normals = Array.from({ length: nN }, (_, i) => i).sort(() => rng.next() - 0.5);
      const anomalies = Array.from({ length: rng.int(1, 12) }, () => rng.int(nN - 8, nN + 2));
      const top = [...normals].sort((a, b) => b - a).slice(0, nN / 10);
      const scores = [...anomalies, ...normals];
      const labels = [...anomalies.map(() => 1), ...normals.map(() => 0)];
      expect(partialAuc(scores, labels, 0.1)).toBeCloseTo(pairShare(anomalies, top), 12);
    }
  });
});
