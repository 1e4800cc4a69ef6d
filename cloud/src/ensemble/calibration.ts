/**
 * Calibration and the combination rule.
 *
 * 1. Each detector's raw score r (higher = more anomalous) is transformed (log for positive,
 *    heavy-tailed scores) and turned into a robust z-score against held-out NORMAL clips:
 *    z = (t(r) − median) / (1.4826 · MAD), so 0 is a typical normal clip and 1 is one
 *    normal-spread above it, for every detector alike.
 * 2. The ensemble statistic is the mean of the z-scores of the members forward selection picks
 *    (ensemble selection, Caruana et al. 2004). Without labelled fault clips every detector is a
 *    member. With them (the synthetic fault clips train-ensemble renders for the classifier, or
 *    technicians' labels), start from the detector that best separates held-out normal clips
 *    from the fault clips (AUC), then add, one at a time, the detector whose addition raises the
 *    mean's AUC most, while it raises it by at least MIN_SELECTION_GAIN. Detectors that see the
 *    same thing make the same mistakes, so averaging them in only adds noise; on the synthetic
 *    sets the separation never improved by adding a member (cloud/src/ensemble/README.md). With
 *    an edge member, the clips compared are those in the device's overlap band (train.ts). The
 *    detectors themselves still never see a fault.
 * 3. The threshold T on that mean is median + 2.326 σ (the 99th percentile if the held-out
 *    statistic were Gaussian), σ its robust spread. Not an empirical quantile: the out-of-fold
 *    tail holds clips a fold's detectors scored badly because that fold lacked their kind of
 *    normal (a machine's rarer operating mode), which the shipped detectors, trained on all
 *    clips, do not; a 98th-percentile floor set T from those and let 91 % of faulty clips pass.
 *    The reported score is 2^((c − T) / σ): exactly 1 at the threshold, doubling per σ above
 *    it, 0.5 one σ below. States: ≥ 1 anomalous, [0.5, 1) borderline, < 0.5 normal.
 */
import { median } from './dsp.ts';

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

/** A detector joins the ensemble only if it raises the separation AUC by at least this. */
export const MIN_SELECTION_GAIN = 0.005;

export interface Selection {
  /** Member indices in the order they were added. */
  readonly members: number[];
  /** Separation AUC of the mean after each addition. */
  readonly aucs: number[];
}

/**
 * Forward selection. `aucOf(members)` is the separation AUC of the mean z of those detectors
 * (normal vs fault). Without it (no fault clips) every detector is a member.
 */
export function forwardSelection(count: number, aucOf?: (members: readonly number[]) => number): Selection {
  const all = Array.from({ length: count }, (_, k) => k);
  if (!aucOf || count === 0) return { members: all, aucs: [] };
  const singles = all.map((k) => aucOf([k]));
  const first = singles.indexOf(Math.max(...singles));
  const members = [first];
  const aucs = [singles[first]];
  for (;;) {
    let best: { k: number; auc: number } | null = null;
    for (const k of all) {
      if (members.includes(k)) continue;
      const auc = aucOf([...members, k]);
      if (auc >= aucs[aucs.length - 1] + MIN_SELECTION_GAIN && (!best || auc > best.auc)) best = { k, auc };
    }
    if (!best) return { members, aucs };
    members.push(best.k);
    aucs.push(best.auc);
  }
}

/** Equal weights over the selected members, 0 for the others (the statistic is their mean). */
export function selectionWeights(count: number, selection: Selection): number[] {
  return Array.from({ length: count }, (_, k) => (selection.members.includes(k) ? 1 / selection.members.length : 0));
}

export function fitCombined(stats: readonly number[], weights: readonly number[]): CombinedCalibration {
  const center = median(stats);
  const spread = robustSpread(stats, center);
  const threshold = center + 2.326 * spread;
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
