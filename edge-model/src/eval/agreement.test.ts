import { describe, expect, it } from 'vitest';
import { scoreAgreement } from './agreement.ts';

const pair = (a: number[], b: number[]) => scoreAgreement({ name: 'f', scores: a }, { name: 'q', scores: b });

describe('scoreAgreement', () => {
  it('gives the Pearson correlation and the largest score gap', () => {
    const r = pair([1, 2, 3, 4], [1.1, 2, 2.9, 4.5]);
    expect(r).toMatchObject({ a: 'f', b: 'q', n: 4 });
    expect(r.maxAbsScoreDiff).toBeCloseTo(0.5, 12);
    // Hand-computed: means 2.5 and 2.625; Σdxdy = 5.55, Σdx² = 5, Σdy² = 6.3075.
    expect(r.scoreCorrelation).toBeCloseTo(5.55 / Math.sqrt(5 * 6.3075), 12);
  });

  it('is 1 for an affine copy (a rescaled score keeps the order) and -1 for a reversed one', () => {
    expect(pair([0.1, 0.5, 0.2], [1.2, 5.2, 2.2]).scoreCorrelation).toBeCloseTo(1, 12);
    expect(pair([1, 2, 3], [3, 2, 1]).scoreCorrelation).toBeCloseTo(-1, 12);
  });

  it('reports null, not NaN, when the correlation is undefined', () => {
    expect(pair([1, 2, 3], [5, 5, 5]).scoreCorrelation).toBeNull();
    expect(pair([1], [2])).toMatchObject({ n: 1, scoreCorrelation: null, maxAbsScoreDiff: 1 });
  });

  it('refuses score lists of different lengths', () => {
    expect(() => pair([1, 2], [1])).toThrow(/f has 2 scores but q has 1/);
  });
});
