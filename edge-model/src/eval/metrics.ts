/**
 * Threshold-free detection metrics. Positives are anomalies; a higher score means "more
 * anomalous". Ties count half, as in the Mann–Whitney statistic.
 *
 * pAUC follows the DCASE task 2 definition: the area under the ROC curve for false-positive rates
 * in [0, p], divided by p, so a perfect detector scores 1 and a random one p/2 (0.05 at p = 0.1).
 * That equals DCASE's pair-counting form, 1/(⌊pN⁻⌋N⁺) Σ_i Σ_j H(score(anomaly_j) − score(normal_i))
 * over the ⌊pN⁻⌋ highest-scoring normal clips, whenever pN⁻ is a whole number. When it is not,
 * the ROC curve is interpolated linearly (as scikit-learn does). The official DCASE evaluator's
 * McClish-standardised variant (scikit-learn's `roc_auc_score(max_fpr=p)`, random = 0.5) is
 * `standardizedPartialAuc`.
 */

export class MetricError extends Error {
  override name = 'MetricError';
}

export type LabelLike = boolean | number | 'normal' | 'anomaly';

function isPositive(l: LabelLike): boolean {
  return l === 'anomaly' || l === true || l === 1;
}

function check(scores: ArrayLike<number>, labels: ArrayLike<LabelLike>): { pos: number; neg: number } {
  if (scores.length !== labels.length) {
    throw new MetricError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  let pos = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new MetricError(`score ${i} is ${scores[i]}; scores must be finite numbers`);
    if (isPositive(labels[i])) pos++;
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) throw new MetricError(`need both normal and anomalous clips (got ${neg} normal, ${pos} anomalous)`);
  return { pos, neg };
}

/** ROC points (fpr, tpr) after each group of tied scores, from (0, 0) to (1, 1). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<LabelLike>): { fpr: number[]; tpr: number[] } {
  const { pos, neg } = check(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; ) {
    const s = scores[order[k]];
    while (k < order.length && scores[order[k]] === s) {
      if (isPositive(labels[order[k]])) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / neg);
    tpr.push(tp / pos);
  }
  return { fpr, tpr };
}

/** Area under the ROC curve between FPR 0 and `maxFpr` (trapezoids; a tie group is a straight segment). */
function areaTo(curve: { fpr: number[]; tpr: number[] }, maxFpr: number): number {
  const { fpr, tpr } = curve;
  let area = 0;
  for (let i = 1; i < fpr.length; i++) {
    const x0 = fpr[i - 1];
    if (x0 >= maxFpr) break;
    const x1 = Math.min(fpr[i], maxFpr);
    if (x1 === x0) continue;
    const y0 = tpr[i - 1];
    const y1 = fpr[i] === x0 ? tpr[i] : y0 + ((tpr[i] - y0) * (x1 - x0)) / (fpr[i] - x0);
    area += ((x1 - x0) * (y0 + y1)) / 2;
  }
  return area;
}

/** ROC AUC: the probability that a random anomaly outscores a random normal clip (ties count ½). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<LabelLike>): number {
  return areaTo(rocCurve(scores, labels), 1);
}

function checkFpr(maxFpr: number): void {
  if (!(maxFpr > 0 && maxFpr <= 1)) throw new MetricError(`maxFpr must be in (0, 1] (got ${maxFpr})`);
}

/** DCASE pAUC: ROC area over FPR in [0, maxFpr], divided by maxFpr (1 = perfect, maxFpr/2 = chance). */
export function partialAuc(scores: ArrayLike<number>, labels: ArrayLike<LabelLike>, maxFpr = 0.1): number {
  checkFpr(maxFpr);
  return areaTo(rocCurve(scores, labels), maxFpr) / maxFpr;
}

/** McClish-standardised partial AUC (scikit-learn's `roc_auc_score(max_fpr=…)`): 0.5 = chance, 1 = perfect. */
export function standardizedPartialAuc(scores: ArrayLike<number>, labels: ArrayLike<LabelLike>, maxFpr = 0.1): number {
  checkFpr(maxFpr);
  const a = areaTo(rocCurve(scores, labels), maxFpr);
  const minArea = (maxFpr * maxFpr) / 2;
  return 0.5 * (1 + (a - minArea) / (maxFpr - minArea));
}
