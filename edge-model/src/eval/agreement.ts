/**
 * How closely two scorers agree clip by clip (eval reports it for the edge model's float network
 * and its int8 export: a quantised model can keep its AUC while reordering clips near the
 * threshold, which the Pearson correlation and the largest score gap show).
 */
import { pearson } from '../../export/export.ts';

export interface ScoreAgreement {
  readonly a: string;
  readonly b: string;
  /** Clips both scored. */
  readonly n: number;
  /** Pearson correlation of the clip scores; null when undefined (fewer than 2 clips, or a constant score). */
  readonly scoreCorrelation: number | null;
  /** Largest |a − b| over the clips, in score units. */
  readonly maxAbsScoreDiff: number;
}

export function scoreAgreement(
  a: { name: string; scores: readonly number[] },
  b: { name: string; scores: readonly number[] },
): ScoreAgreement {
  if (a.scores.length !== b.scores.length) {
    throw new RangeError(`${a.name} has ${a.scores.length} scores but ${b.name} has ${b.scores.length}`);
  }
  const r = pearson(a.scores, b.scores);
  let maxAbs = 0;
  for (let i = 0; i < a.scores.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a.scores[i] - b.scores[i]));
  return {
    a: a.name,
    b: b.name,
    n: a.scores.length,
    // Rounding can push a perfect correlation a hair past 1.
    scoreCorrelation: Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : null,
    maxAbsScoreDiff: maxAbs,
  };
}
