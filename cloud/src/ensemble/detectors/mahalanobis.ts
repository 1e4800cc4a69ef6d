/**
 * Mahalanobis distance in feature space (or a view of it: the ensemble uses one on the 128
 * log-mel band features and one on the other 171) with a Ledoit-Wolf shrunk covariance: with ~300
 * features and a few hundred normal clips the sample covariance is singular; shrinking it
 * towards a scaled identity makes it invertible and well-conditioned.
 */
import { base64ToF64, cholesky, f64ToBase64, ledoitWolf, mahalanobisSq } from '../linalg.ts';
import type { ClipView, Detector } from './types.ts';

export interface MahalanobisJson {
  kind: 'mahalanobis';
  name: string;
  /** Which standardised features it uses (indices into the detector input); null = all. */
  columns: number[] | null;
  d: number;
  shrinkage: number;
  center: string;
  cholesky: string;
}

export class MahalanobisDetector implements Detector {
  readonly transform = 'log' as const;
  constructor(
    readonly name: string,
    readonly columns: readonly number[] | null,
    readonly d: number,
    readonly center: Float64Array,
    readonly chol: Float64Array,
    readonly shrinkage: number,
  ) {}

  /** `columns` restricts it to a view of the features (e.g. only the log-mel band features). */
  static train(rows: readonly Float64Array[], opts: { name?: string; columns?: readonly number[] } = {}): MahalanobisDetector {
    const cols = opts.columns ?? null;
    const view = cols ? rows.map((r) => Float64Array.from(cols, (c) => r[c])) : rows;
    const { cov, center, shrinkage } = ledoitWolf(view);
    const d = center.length;
    return new MahalanobisDetector(opts.name ?? 'mahalanobis', cols, d, center, cholesky(cov, d), shrinkage);
  }

  /** Squared distance divided by the dimension (≈ 1 for a typical normal clip). */
  score(view: ClipView): number {
    const x = new Float64Array(this.d);
    const cols = this.columns;
    for (let i = 0; i < this.d; i++) x[i] = (cols ? view.z[cols[i]] : view.z[i]) - this.center[i];
    return mahalanobisSq(this.chol, this.d, x) / this.d;
  }

  toJSON(): MahalanobisJson {
    return {
      kind: 'mahalanobis',
      name: this.name,
      columns: this.columns ? [...this.columns] : null,
      d: this.d,
      shrinkage: this.shrinkage,
      center: f64ToBase64(this.center),
      cholesky: f64ToBase64(this.chol),
    };
  }

  static fromJSON(j: MahalanobisJson): MahalanobisDetector {
    const center = base64ToF64(j.center);
    const chol = base64ToF64(j.cholesky);
    if (center.length !== j.d || chol.length !== j.d * j.d || (j.columns && j.columns.length !== j.d)) {
      throw new Error('mahalanobis: stored matrix sizes do not match d');
    }
    return new MahalanobisDetector(j.name, j.columns, j.d, center, chol, j.shrinkage);
  }
}
