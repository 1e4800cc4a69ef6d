/**
 * One-class SVM (Schölkopf et al.) with an RBF kernel, trained by libsvm (`libsvm-js`, WASM).
 * libsvm-js only returns the ±1 label for ONE_CLASS, so the trained model is read back from
 * its libsvm text serialisation (support vectors, coefficients, rho, gamma) and the continuous
 * decision value is computed here: score = rho − Σ αᵢ·exp(−γ‖svᵢ − x‖²) (> 0 means outside the
 * learned support). A test checks the sign agrees with libsvm's own prediction.
 */
import { loadSvm } from '../svm-loader.ts';
import type { ClipView, Detector } from './types.ts';

export interface OneClassSvmJson {
  kind: 'ocsvm';
  d: number;
  gamma: number;
  rho: number;
  coef: number[];
  /** Support vectors, row-major (coef.length × d). */
  sv: number[];
}

/** Parses a libsvm model text for a one-class RBF model. */
export function parseLibsvmModel(text: string, d: number): Omit<OneClassSvmJson, 'kind'> {
  const lines = text.split('\n');
  let gamma = Number.NaN;
  let rho = Number.NaN;
  let i = 0;
  for (; i < lines.length && lines[i].trim() !== 'SV'; i++) {
    const [key, value] = lines[i].trim().split(/\s+/);
    if (key === 'gamma') gamma = Number(value);
    if (key === 'rho') rho = Number(value);
    if (key === 'kernel_type' && value !== 'rbf') throw new Error(`ocsvm: expected an rbf kernel, got ${value}`);
  }
  if (!Number.isFinite(gamma) || !Number.isFinite(rho) || i >= lines.length)
    throw new Error('ocsvm: libsvm model text lacks gamma, rho or SV');
  const coef: number[] = [];
  const sv: number[] = [];
  for (i++; i < lines.length; i++) {
    const parts = lines[i].trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    coef.push(Number(parts[0]));
    const row = new Array<number>(d).fill(0);
    for (const p of parts.slice(1)) {
      const [idx, v] = p.split(':');
      row[Number(idx) - 1] = Number(v);
    }
    sv.push(...row);
  }
  return { d, gamma, rho, coef, sv };
}

export class OneClassSvmDetector implements Detector {
  readonly name = 'ocsvm';
  readonly transform = 'identity' as const;
  private readonly svs: Float64Array;
  constructor(readonly model: Omit<OneClassSvmJson, 'kind'>) {
    this.svs = Float64Array.from(model.sv);
  }

  static async train(rows: readonly Float64Array[], opts: { nu: number; gamma?: number }): Promise<OneClassSvmDetector> {
    const SVM = await loadSvm();
    const d = rows[0].length;
    const svm = new SVM({
      type: SVM.SVM_TYPES.ONE_CLASS,
      kernel: SVM.KERNEL_TYPES.RBF,
      nu: opts.nu,
      gamma: opts.gamma ?? 1 / d,
      quiet: true,
    });
    try {
      svm.train(
        rows.map((r) => Array.from(r)),
        rows.map(() => 1),
      );
      return new OneClassSvmDetector(parseLibsvmModel(svm.serializeModel(), d));
    } finally {
      svm.free();
    }
  }

  score(view: ClipView): number {
    return this.scoreRow(view.z);
  }

  scoreRow(x: ArrayLike<number>): number {
    const { d, gamma, rho, coef } = this.model;
    let f = 0;
    for (let s = 0; s < coef.length; s++) {
      let dist = 0;
      const o = s * d;
      for (let j = 0; j < d; j++) {
        const t = this.svs[o + j] - x[j];
        dist += t * t;
      }
      f += coef[s] * Math.exp(-gamma * dist);
    }
    return rho - f;
  }

  toJSON(): OneClassSvmJson {
    return { kind: 'ocsvm', ...this.model };
  }

  static fromJSON(j: OneClassSvmJson): OneClassSvmDetector {
    if (j.sv.length !== j.coef.length * j.d) throw new Error('ocsvm: stored support vectors do not match d');
    return new OneClassSvmDetector(j);
  }
}
