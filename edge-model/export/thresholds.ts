/**
 * Alert threshold and borderline band from held-out normal window scores.
 *
 * A device reports one scored window every `reportingCadenceS` seconds (default 10 s: 60,480
 * windows a week), so "at most one false alert per device per week" means the alert threshold is
 * the 1 − 1/60,480 quantile of normal window scores. No held-out set is large enough to read that
 * quantile off directly (two minutes of audio give ~100 windows), so we fit a log-normal to the
 * held-out scores (reconstruction errors are positive and right-skewed; their log is close to
 * normal) and extrapolate, never going below the largest held-out score. The borderline band
 * starts at the quantile that would flag `targetBorderlinePerDay` windows a day on a healthy
 * machine: those are the clips a device uploads for the cloud to re-score.
 *
 * Learning bounds: during its first hour a device learns its own alert threshold from its own
 * scores (firmware verdict_fsm), clamped to [learnMin, learnMax]. learnMin = alert: a device never
 * becomes more sensitive than the factory threshold, which already allows one false alert a week
 * on the training machines. learnMax = LEARN_MAX_FACTOR × alert: room for a compressor whose
 * normal sound scores higher than the training machines (on the synthetic set the loudest
 * machine's normal windows reach 1.8× the alert, so it learns ≈2.3×), while a machine that is
 * already grossly broken at installation scores above learnMax and alarms while learning instead
 * of teaching the device that its fault is normal. Faults that score under learnMax from the first
 * day are learned as normal; the cloud's re-scoring of borderline clips is the check for those.
 */

export interface ThresholdOptions {
  targetFalseAlarmsPerWeek?: number;
  reportingCadenceS?: number;
  targetBorderlinePerDay?: number;
  /** learnMax = this × alert (default LEARN_MAX_FACTOR). */
  learnMaxFactor?: number;
}

export const LEARN_MAX_FACTOR = 4;

export interface Thresholds {
  alert: number;
  borderlineLow: number;
  borderlineHigh: number;
  targetFalseAlarmsPerWeek: number;
  reportingCadenceS: number;
  targetBorderlinePerDay: number;
  /** Lowest alert threshold a device may learn from its own scores (= alert). */
  learnMin: number;
  /** Highest alert threshold a device may learn; over it a device alarms even while learning. */
  learnMax: number;
  method: string;
  heldoutWindows: number;
  fit: { kind: 'lognormal'; mu: number; sigma: number };
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1) (got ${p})`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export function chooseThresholds(windowScores: readonly number[], opts: ThresholdOptions = {}): Thresholds {
  const targetFalseAlarmsPerWeek = opts.targetFalseAlarmsPerWeek ?? 1;
  const reportingCadenceS = opts.reportingCadenceS ?? 10;
  const targetBorderlinePerDay = opts.targetBorderlinePerDay ?? 24;
  if (!(targetFalseAlarmsPerWeek > 0)) throw new RangeError('targetFalseAlarmsPerWeek must be positive');
  if (!(reportingCadenceS > 0)) throw new RangeError('reportingCadenceS must be positive');
  const learnMaxFactor = opts.learnMaxFactor ?? LEARN_MAX_FACTOR;
  if (!(learnMaxFactor >= 1 && Number.isFinite(learnMaxFactor))) throw new RangeError('learnMaxFactor must be at least 1');
  const scores = windowScores.filter((s) => Number.isFinite(s) && s > 0);
  if (scores.length < 3) throw new RangeError(`need at least 3 held-out window scores to set thresholds (got ${scores.length})`);
  const logs = scores.map(Math.log);
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / (logs.length - 1));
  const windowsPerWeek = (7 * 86400) / reportingCadenceS;
  const windowsPerDay = 86400 / reportingCadenceS;
  const pAlert = Math.min(0.5, targetFalseAlarmsPerWeek / windowsPerWeek);
  const pBorder = Math.min(0.5, Math.max(pAlert * 2, targetBorderlinePerDay / windowsPerDay));
  const maxSeen = Math.max(...scores);
  const alert = Math.max(Math.exp(mu + normalQuantile(1 - pAlert) * sigma), maxSeen);
  const borderlineLow = Math.min(Math.exp(mu + normalQuantile(1 - pBorder) * sigma), alert);
  return {
    alert,
    borderlineLow,
    borderlineHigh: alert,
    targetFalseAlarmsPerWeek,
    reportingCadenceS,
    targetBorderlinePerDay,
    ...learnBounds(alert, learnMaxFactor),
    method: `log-normal fit to ${scores.length} held-out normal window scores; alert = max(fitted 1-${pAlert.toExponential(2)} quantile, largest held-out score); borderlineLow = fitted 1-${pBorder.toExponential(2)} quantile`,
    heldoutWindows: scores.length,
    fit: { kind: 'lognormal', mu, sigma },
  };
}

/** The card's learning bounds for a given alert (see the header comment). */
export function learnBounds(alert: number, learnMaxFactor = LEARN_MAX_FACTOR): { learnMin: number; learnMax: number } {
  return { learnMin: alert, learnMax: alert * learnMaxFactor };
}
