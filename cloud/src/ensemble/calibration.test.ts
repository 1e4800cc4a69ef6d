import { describe, expect, it } from 'vitest';
import { DROP_MARGIN, separationWeights } from './calibration.ts';

describe('separationWeights (the combination rule)', () => {
  it('weights detectors by AUC − 0.5 and drops those more than DROP_MARGIN below the best', () => {
    const aucs = [0.84, 0.8, 0.84 - DROP_MARGIN - 0.01, 0.45];
    const w = separationWeights(aucs.length, (k) => aucs[k]);
    expect(w[2]).toBe(0);
    expect(w[3]).toBe(0);
    expect(w[0] / w[1]).toBeCloseTo(0.34 / 0.3, 12);
    expect(w[0] + w[1]).toBeCloseTo(1, 12);
  });

  it('keeps a detector exactly at the margin', () => {
    const aucs = [0.9, 0.9 - DROP_MARGIN];
    expect(separationWeights(2, (k) => aucs[k])[1]).toBeGreaterThan(0);
  });

  it('falls back to equal weights without labelled faults or when nothing separates', () => {
    expect(separationWeights(4)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(separationWeights(2, () => 0.4)).toEqual([0.5, 0.5]);
  });
});
