import { describe, expect, it } from 'vitest';
import { chartColumns, mergeWindows } from './timeline-merge.ts';
import type { TimelineData } from './timeline-types.ts';

const base = (res: string, points: TimelineData['points']): TimelineData => ({
  threshold: 1,
  borderlineLow: 0.7,
  res,
  from: 0,
  to: 0,
  points,
});

describe('mergeWindows (live verdicts into the loaded series)', () => {
  it('appends raw windows in time order and ignores ones already shown', () => {
    const d = mergeWindows(base('raw', [{ t: 1000, mean: 0.2, max: 0.2, n: 1, state: 'normal' }]), [
      { t: 3000, score: 0.5, state: 'normal' },
      { t: 500, score: 9, state: 'alarm' },
      { t: 2000, score: 0.4, state: 'normal' },
    ]);
    expect(d.points.map((p) => p.t)).toEqual([1000, 2000, 3000]);
    expect(d.to).toBe(3000);
  });

  it('folds windows into minute buckets like the server roll-up (mean, max, worst state)', () => {
    const d = mergeWindows(base('minute', [{ t: 60_000, mean: 0.5, max: 0.5, n: 1, state: 'normal' }]), [
      { t: 61_000, score: 1.5, state: 'alarm' },
      { t: 125_000, score: 0.1, state: 'normal' },
    ]);
    expect(d.points).toEqual([
      { t: 60_000, mean: 1, max: 1.5, n: 2, state: 'alarm' },
      { t: 120_000, mean: 0.1, max: 0.1, n: 1, state: 'normal' },
    ]);
  });

  it('chart columns: span ends, sorted times, cloud marks on the edge scale, gaps as null', () => {
    const d = { ...base('raw', [{ t: 2000, mean: 0.5, max: 0.6, n: 1, state: 'normal' }]), threshold: 2, from: 1000, to: 5000 };
    const cols = chartColumns(d, [
      { t: 3000, score: 1.5 },
      { t: 9000, score: 3 }, // outside the span: dropped
      { t: 4000, score: 60_000 }, // capped at 3× the threshold
    ]);
    expect(cols).toEqual([
      [1, 2, 3, 4, 5],
      [null, 0.5, null, null, null],
      [null, 0.6, null, null, null],
      [2, 2, 2, 2, 2],
      [0.7, 0.7, 0.7, 0.7, 0.7],
      [null, null, 3, 6, null],
    ]);
  });
});
