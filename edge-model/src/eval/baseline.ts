/**
 * The transparent baseline every later model must beat: a Mahalanobis distance on clip-level
 * log-mel statistics, fitted on normal training clips.
 *
 * Features (128 for 64 bands): each band's mean over the clip minus the clip's overall mean level
 * (so microphone gain and distance do not count as anomalies), and each band's standard deviation
 * over frames (knocks, beating and short cycling make bands fluctuate). Every feature is
 * standardised with the training mean and std; the covariance is then shrunk towards the identity
 * with the Ledoit–Wolf formula, which picks the shrinkage from the data and keeps the inverse
 * stable when there are fewer training clips than features.
 */
import { FRONTEND, type FrontendConfig } from '../frontend/config.ts';
import { computeLogMel } from '../frontend/logmel.ts';
import type { Clip, Scorer } from './types.ts';

export interface BaselineModel {
  readonly dims: number;
  readonly nTrain: number;
  /** Ledoit–Wolf shrinkage weight in [0, 1] (1 = identity covariance). */
  readonly shrinkage: number;
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Lower-triangular Cholesky factor of the shrunk covariance, row-major dims×dims. */
  readonly chol: Float64Array;
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

/** Clip-level statistics of the log-mel spectrogram: level-normalised band means, then band stds. */
export function clipStatistics(pcm: Float32Array, cfg: FrontendConfig = FRONTEND): Float64Array {
  const { frames, nMels, data } = computeLogMel(pcm, cfg);
  if (frames < 2) throw new BaselineError(`clip too short for statistics (${frames} frames; need 2)`);
  const mean = new Float64Array(nMels);
  const sq = new Float64Array(nMels);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < nMels; b++) {
      const v = data[f * nMels + b];
      mean[b] += v;
      sq[b] += v * v;
    }
  }
  let level = 0;
  for (let b = 0; b < nMels; b++) {
    mean[b] /= frames;
    level += mean[b];
  }
  level /= nMels;
  const out = new Float64Array(2 * nMels);
  for (let b = 0; b < nMels; b++) {
    out[b] = mean[b] - level;
    out[nMels + b] = Math.sqrt(Math.max(0, sq[b] / frames - mean[b] * mean[b]));
  }
  return out;
}

function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) throw new BaselineError('covariance is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

/** Fits on feature vectors of normal clips (at least 2). */
export function fitBaseline(features: readonly Float64Array[]): BaselineModel {
  const n = features.length;
  if (n < 2) throw new BaselineError(`need at least 2 normal training clips (got ${n})`);
  const d = features[0].length;
  const mean = new Float64Array(d);
  for (const x of features) for (let i = 0; i < d; i++) mean[i] += x[i] / n;
  const scale = new Float64Array(d);
  for (const x of features) for (let i = 0; i < d; i++) scale[i] += (x[i] - mean[i]) ** 2 / n;
  // A feature that never varies in training (e.g. a band below the floor) gets a 0.1 dB scale
  // so any movement in it counts, without dividing by zero.
  for (let i = 0; i < d; i++) scale[i] = Math.max(Math.sqrt(scale[i]), 0.1);
  const z = features.map((x) => x.map((v, i) => (v - mean[i]) / scale[i]));

  const S = new Float64Array(d * d);
  for (const x of z) for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) S[i * d + j] += (x[i] * x[j]) / n;
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) S[j * d + i] = S[i * d + j];

  // Ledoit–Wolf (2004): shrink towards mu·I with weight beta²/delta².
  let mu = 0;
  for (let i = 0; i < d; i++) mu += S[i * d + i] / d;
  let delta2 = 0;
  let sNorm2 = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const s = S[i * d + j];
      delta2 += (s - (i === j ? mu : 0)) ** 2;
      sNorm2 += s * s;
    }
  }
  let beta2 = 0;
  for (const x of z) {
    let x2 = 0;
    for (let i = 0; i < d; i++) x2 += x[i] * x[i];
    let xSx = 0;
    for (let i = 0; i < d; i++) {
      let row = 0;
      for (let j = 0; j < d; j++) row += S[i * d + j] * x[j];
      xSx += x[i] * row;
    }
    beta2 += x2 * x2 - 2 * xSx + sNorm2;
  }
  beta2 /= n * n;
  const shrinkage = delta2 > 0 ? Math.min(1, Math.max(0, beta2 / delta2)) : 1;
  const C = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) C[i] = (1 - shrinkage) * S[i];
  for (let i = 0; i < d; i++) C[i * d + i] += shrinkage * mu + 1e-9;
  return { dims: d, nTrain: n, shrinkage, mean, scale, chol: cholesky(C, d) };
}

/** Mahalanobis distance of a feature vector from the training distribution. */
export function mahalanobis(model: BaselineModel, x: Float64Array): number {
  const d = model.dims;
  if (x.length !== d) throw new BaselineError(`feature vector has ${x.length} values; the model expects ${d}`);
  // Solve L y = z; the distance is |y|.
  const y = new Float64Array(d);
  let s2 = 0;
  for (let i = 0; i < d; i++) {
    let s = (x[i] - model.mean[i]) / model.scale[i];
    for (let k = 0; k < i; k++) s -= model.chol[i * d + k] * y[k];
    y[i] = s / model.chol[i * d + i];
    s2 += y[i] * y[i];
  }
  return Math.sqrt(s2);
}

export function baselineScorer(model: BaselineModel): Scorer {
  return { name: 'baseline', scoreClip: (clip: Clip) => mahalanobis(model, clipStatistics(clip.pcm)) };
}
