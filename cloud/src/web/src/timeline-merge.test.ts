import { describe, expect, it } from 'vitest';
import { mergeWindows } from './timeline-merge.ts';
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
});
