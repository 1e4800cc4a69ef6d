import { describe, expect, it } from 'vitest';
import { forwardSelection, MIN_SELECTION_GAIN, selectionWeights } from './calibration.ts';

describe('forwardSelection (the combination rule)', () => {
  // Separation of a mean of members, from a table: redundant detectors add nothing, a
  // complementary one adds more than the gain.
  const table: Record<string, number> = {
    '0': 0.8,
    '1': 0.78,
    '2': 0.7,
    '3': 0.6,
    '0,1': 0.801,
    '0,2': 0.83,
    '0,3': 0.79,
    '0,2,1': 0.832,
    '0,2,3': 0.82,
  };
  const aucOf = (m: readonly number[]) => table[m.join(',')] ?? 0.5;

  it('starts from the best detector and adds one only while it raises the AUC by the minimum gain', () => {
    const s = forwardSelection(4, aucOf);
    // 0 first; 0+2 (0.83) beats 0+1 (0.801, below the gain); then 1 adds only 0.002: stop.
    expect(s.members).toEqual([0, 2]);
    expect(s.aucs).toEqual([0.8, 0.83]);
    expect(0.832 - 0.83).toBeLessThan(MIN_SELECTION_GAIN);
    expect(selectionWeights(4, s)).toEqual([0.5, 0, 0.5, 0]);
  });

  it('keeps a single detector when no addition helps, and every detector without labelled faults', () => {
    expect(forwardSelection(3, (m) => (m.length === 1 ? [0.7, 0.9, 0.8][m[0]] : 0.85)).members).toEqual([1]);
    expect(selectionWeights(3, forwardSelection(3))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});
