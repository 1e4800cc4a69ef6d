/**
 * Mahalanobis distance in feature space with a Ledoit-Wolf shrunk covariance: with ~300
 * features and a few hundred normal clips the sample covariance is singular; shrinking it
 * towards a scaled identity makes it invertible and well-conditioned.
 */
import { base64ToF64, cholesky, f64ToBase64, ledoitWolf, mahalanobisSq } from '../linalg.ts';
import type { ClipView, Detector } from './types.ts';

export interface MahalanobisJson {
  kind: 'mahalanobis';
  d: number;
  shrinkage: number;
  center: string;
  cholesky: string;
}

export class MahalanobisDetector implements Detector {
  readonly name = 'mahalanobis';
  readonly transform = 'log' as const;
  constructor(
    readonly d: number,
    readonly center: Float64Array,
    readonly chol: Float64Array,
    readonly shrinkage: number,
  ) {}

  static train(rows: readonly Float64Array[]): MahalanobisDetector {
    const { cov, center, shrinkage } = ledoitWolf(rows);
    const d = center.length;
    return new MahalanobisDetector(d, center, cholesky(cov, d), shrinkage);
  }

  /** Squared distance divided by the dimension (≈ 1 for a typical normal clip). */
  score(view: ClipView): number {
    const x = new Float64Array(this.d);
    for (let i = 0; i < this.d; i++) x[i] = view.z[i] - this.center[i];
    return mahalanobisSq(this.chol, this.d, x) / this.d;
  }

  toJSON(): MahalanobisJson {
    return {
      kind: 'mahalanobis',
      d: this.d,
      shrinkage: this.shrinkage,
      center: f64ToBase64(this.center),
      cholesky: f64ToBase64(this.chol),
    };
  }

  static fromJSON(j: MahalanobisJson): MahalanobisDetector {
    const center = base64ToF64(j.center);
    const chol = base64ToF64(j.cholesky);
    if (center.length !== j.d || chol.length !== j.d * j.d) throw new Error('mahalanobis: stored matrix sizes do not match d');
    return new MahalanobisDetector(j.d, center, chol, j.shrinkage);
  }
}
