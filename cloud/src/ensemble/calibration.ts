/**
 * Calibration and the combination rule.
 *
 * 1. Each detector's raw score r (higher = more anomalous) is transformed (log for positive,
 *    heavy-tailed scores) and turned into a robust z-score against held-out NORMAL clips:
 *    z = (t(r) − median) / (1.4826 · MAD), so 0 is a typical normal clip and 1 is one
 *    normal-spread above it, for every detector alike.
 * 2. The ensemble statistic is a weighted mean of the detectors' z-scores, weights summing to 1.
 *    Without labelled fault clips the weights are equal. With them (the synthetic fault clips
 *    train-ensemble renders for the classifier, or technicians' labels), each detector's weight
 *    is proportional to max(0, AUC − 0.5) of its z-score separating out-of-fold normal clips
 *    from those fault clips, and a detector whose AUC is more than DROP_MARGIN below the best
 *    one's gets none: a weak detector adds more noise than signal to a mean (on the development
 *    set, synth seed 7, this rule gave the best AUC of the rules compared, see the README).
 *    The detectors themselves still never see a fault.
 * 3. The threshold T on that mean is the larger of median + 2.326 σ (the 99th percentile if the
 *    held-out statistic were Gaussian) and its empirical 98th percentile; σ is its robust spread.
 *    The reported score is 2^((c − T) / σ): exactly 1 at the threshold, doubling per σ above
 *    it, 0.5 one σ below. States: ≥ 1 anomalous, [0.5, 1) borderline, < 0.5 normal.
 */
import { median, quantile } from './dsp.ts';

export interface RobustZ {
  readonly transform: 'log' | 'identity';
  readonly center: number;
  readonly spread: number;
}

export interface CombinedCalibration {
  /** Detector weights, in the ensemble's detector order; they sum to 1. */
  readonly weights: readonly number[];
  readonly center: number;
  readonly spread: number;
  readonly threshold: number;
}

export const BORDERLINE_LOW = 0.5;

const LOG_FLOOR = 1e-12;

export function applyTransform(t: RobustZ['transform'], raw: number): number {
  return t === 'log' ? Math.log(Math.max(raw, LOG_FLOOR)) : raw;
}

export function robustSpread(values: ArrayLike<number>, center = median(values)): number {
  const dev = Float64Array.from(values, (v) => Math.abs(v - center));
  const mad = 1.4826 * median(dev);
  // A detector that scored every held-out clip alike would otherwise divide by zero; fall back
  // to the standard deviation and then to a tiny absolute spread.
  if (mad > 1e-9) return mad;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - center) ** 2;
  return Math.max(Math.sqrt(s / Math.max(1, values.length)), 1e-6);
}

export function fitRobustZ(transform: RobustZ['transform'], raws: readonly number[]): RobustZ {
  if (raws.length < 5) throw new Error(`calibration needs at least 5 held-out normal clips (got ${raws.length})`);
  const t = raws.map((r) => applyTransform(transform, r));
  const center = median(t);
  return { transform, center, spread: robustSpread(t, center) };
}

export function toZ(c: RobustZ, raw: number): number {
  return (applyTransform(c.transform, raw) - c.center) / c.spread;
}

export function combine(zs: readonly number[], weights: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < zs.length; i++) s += weights[i] * zs[i];
  return s;
}

/** Detectors whose separation AUC is further than this below the best one's get weight 0. */
export const DROP_MARGIN = 0.1;

/**
 * Weights from labelled separation: w ∝ max(0, AUC − 0.5) per detector, 0 for detectors more
 * than DROP_MARGIN below the best AUC (equal weights if no detector separates, or no fault clips
 * are given). `auc(k)` is detector k's AUC, normal vs fault.
 */
export function separationWeights(count: number, auc?: (k: number) => number): number[] {
  const aucs = Array.from({ length: count }, (_, k) => (auc ? auc(k) : 0.5));
  const best = Math.max(...aucs);
  const raw = aucs.map((a) => (a >= best - DROP_MARGIN ? Math.max(0, a - 0.5) : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  return total > 1e-9 ? raw.map((r) => r / total) : raw.map(() => 1 / count);
}

export function fitCombined(stats: readonly number[], weights: readonly number[]): CombinedCalibration {
  const center = median(stats);
  const spread = robustSpread(stats, center);
  const threshold = Math.max(center + 2.326 * spread, quantile(stats, 0.98));
  return { weights: [...weights], center, spread, threshold };
}

/** 2^((c − T)/σ): 1 at the threshold, ×2 per robust σ above it. */
export function calibratedScore(cal: CombinedCalibration, stat: number): number {
  // Capped at 2^60 so a wildly anomalous clip still serialises as a JSON number.
  return 2 ** Math.max(-60, Math.min(60, (stat - cal.threshold) / cal.spread));
}

export type CloudState = 'normal' | 'borderline' | 'anomalous';

export function stateOf(score: number): CloudState {
  if (score >= 1) return 'anomalous';
  if (score >= BORDERLINE_LOW) return 'borderline';
  return 'normal';
}
