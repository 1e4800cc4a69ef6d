/**
 * Isolation forest (Liu, Ting & Zhou 2008) trained with `ml-isolation-forest`, on a compact
 * view of the features: the whitened scores on the top principal components of the normal
 * clips plus the log norm of what those components leave unexplained. On the raw ~300
 * standardised features random splits mostly land on irrelevant dimensions and the forest
 * barely separated a clearly faulty clip (measured in the README); in this view a fault shows
 * either as an extreme component score or as a large residual.
 *
 * That library
 * draws from Math.random and keeps each leaf's training rows, so training runs under a seeded
 * Math.random and the trees are stored compactly (split column/value, leaf sizes); scoring walks
 * the stored trees with the same path-length formula (a test checks it matches the library).
 */
import { IsolationForest, type IsolationTreeNode } from 'ml-isolation-forest';
import { base64ToF64, f64ToBase64, ledoitWolf, topEigen } from '../linalg.ts';
import { withSeededRandom } from '../rng.ts';
import type { ClipView, Detector } from './types.ts';

/** A tree as flat arrays: node i is a leaf when left[i] < 0 (then value[i] = its size). */
export interface IsolationTreeJson {
  col: number[];
  value: number[];
  left: number[];
  right: number[];
}

export interface IsolationForestJson {
  kind: 'iforest';
  trainSize: number;
  /** null: the forest splits the standardised features directly. */
  projection: { d: number; k: number; center: string; vectors: string; scales: string } | null;
  trees: IsolationTreeJson[];
}

/** Principal-component view: k whitened scores + log residual norm. */
export interface Projection {
  readonly d: number;
  readonly k: number;
  readonly center: Float64Array;
  /** k×d row-major unit eigenvectors. */
  readonly vectors: Float64Array;
  /** √eigenvalue per component. */
  readonly scales: Float64Array;
}

export function fitProjection(rows: readonly Float64Array[], k: number): Projection {
  const { cov, center } = ledoitWolf(rows);
  const d = center.length;
  const kk = Math.min(k, d, rows.length - 1);
  const { vectors, values } = topEigen(cov, d, kk);
  return { d, k: kk, center, vectors, scales: Float64Array.from(values, (v) => Math.sqrt(Math.max(v, 1e-9))) };
}

export function project(p: Projection, x: ArrayLike<number>): Float64Array {
  const c = new Float64Array(p.d);
  let total = 0;
  for (let j = 0; j < p.d; j++) {
    c[j] = x[j] - p.center[j];
    total += c[j] * c[j];
  }
  const out = new Float64Array(p.k + 1);
  let explained = 0;
  for (let r = 0; r < p.k; r++) {
    let dot = 0;
    const o = r * p.d;
    for (let j = 0; j < p.d; j++) dot += p.vectors[o + j] * c[j];
    explained += dot * dot;
    out[r] = dot / p.scales[r];
  }
  out[p.k] = Math.log(Math.max(total - explained, 1e-9));
  return out;
}

/** Average path length of an unsuccessful BST search over n points, c(n) in the paper. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * Math.log(n - 1) + 0.57721 - (2 * (n - 1)) / n;
}

function flatten(root: IsolationTreeNode): IsolationTreeJson {
  const t: IsolationTreeJson = { col: [], value: [], left: [], right: [] };
  const visit = (node: IsolationTreeNode): number => {
    const i = t.col.length;
    t.col.push(0);
    t.value.push(0);
    t.left.push(-1);
    t.right.push(-1);
    if (node.left && node.right) {
      t.col[i] = node.splitColumn ?? 0;
      t.value[i] = node.splitValue ?? 0;
      t.left[i] = visit(node.left);
      t.right[i] = visit(node.right);
    } else {
      t.value[i] = node.trainingSet?.length ?? 0;
    }
    return i;
  };
  visit(root);
  return t;
}

export class IsolationForestDetector implements Detector {
  readonly name = 'iforest';
  readonly transform = 'identity' as const;
  constructor(
    readonly trainSize: number,
    readonly projection: Projection | null,
    readonly trees: IsolationTreeJson[],
  ) {}

  static train(
    rows: readonly Float64Array[],
    opts: { trees: number; seed: number; components?: number },
  ): IsolationForestDetector {
    const k = opts.components ?? 16;
    const projection = k > 0 ? fitProjection(rows, k) : null;
    const data = rows.map((r) => Array.from(projection ? project(projection, r) : r));
    const forest = withSeededRandom(opts.seed, () => {
      const f = new IsolationForest({ nEstimators: opts.trees });
      f.train(data);
      return f;
    });
    return new IsolationForestDetector(data.length, projection, forest.forest.map(flatten));
  }

  /** The anomaly score 2^(−E[h(x)]/c(n)) in (0, 1); 0.5 is typical, near 1 is isolated. */
  score(view: ClipView): number {
    return this.scoreRow(this.projection ? project(this.projection, view.z) : view.z);
  }

  scoreRow(x: ArrayLike<number>): number {
    let total = 0;
    for (const t of this.trees) {
      let i = 0;
      let depth = 0;
      while (t.left[i] >= 0) {
        i = x[t.col[i]] < t.value[i] ? t.left[i] : t.right[i];
        depth++;
      }
      total += depth + averagePathLength(t.value[i]);
    }
    return 2 ** (-(total / this.trees.length) / averagePathLength(this.trainSize));
  }

  toJSON(): IsolationForestJson {
    const p = this.projection;
    return {
      kind: 'iforest',
      trainSize: this.trainSize,
      projection: p
        ? { d: p.d, k: p.k, center: f64ToBase64(p.center), vectors: f64ToBase64(p.vectors), scales: f64ToBase64(p.scales) }
        : null,
      trees: this.trees,
    };
  }

  static fromJSON(j: IsolationForestJson): IsolationForestDetector {
    const p = j.projection;
    if (!p) return new IsolationForestDetector(j.trainSize, null, j.trees);
    const projection: Projection = {
      d: p.d,
      k: p.k,
      center: base64ToF64(p.center),
      vectors: base64ToF64(p.vectors),
      scales: base64ToF64(p.scales),
    };
    if (projection.vectors.length !== p.k * p.d || projection.center.length !== p.d)
      throw new Error('iforest: stored projection sizes do not match');
    return new IsolationForestDetector(j.trainSize, projection, j.trees);
  }
}
