/**
 * Small dense linear algebra for the feature-space detectors: standardisation, Ledoit-Wolf
 * shrinkage covariance and Cholesky solves. d ≈ 300, n ≈ a few hundred: plain loops are fast
 * enough (a 300×300 Cholesky is ~5 M flops) and keep the serialised model exact.
 */

export interface Standardizer {
  readonly indices: readonly number[];
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Per-feature mean and standard deviation over the training rows. The scale has a floor so a
 * feature that never varied on normal data (e.g. a tone count of 0) cannot produce an infinite z.
 */
export function fitStandardizer(rows: readonly Float64Array[], indices: readonly number[]): Standardizer {
  const d = indices.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[indices[j]];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) scale[j] += (r[indices[j]] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j] / Math.max(1, rows.length - 1));
    scale[j] = Math.max(sd, 1e-3 * (1 + Math.abs(mean[j])));
  }
  return { indices, mean, scale };
}

/** z-scores of the standardiser's features (unclipped). */
export function standardize(s: Standardizer, row: ArrayLike<number>): Float64Array {
  const z = new Float64Array(s.indices.length);
  for (let j = 0; j < z.length; j++) z[j] = (row[s.indices[j]] - s.mean[j]) / s.scale[j];
  return z;
}

/** Clips each z to ±limit so one wild feature cannot swamp a distance. */
export function clipZ(z: Float64Array, limit: number): Float64Array {
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = Math.max(-limit, Math.min(limit, z[i]));
  return out;
}

/**
 * Ledoit-Wolf shrinkage of the sample covariance towards μI (Ledoit & Wolf 2004): returns the
 * shrunk covariance (row-major d×d), the location and the shrinkage weight used.
 */
export function ledoitWolf(rows: readonly Float64Array[]): { cov: Float64Array; center: Float64Array; shrinkage: number } {
  const n = rows.length;
  const d = rows[0].length;
  const center = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) center[j] += r[j];
  for (let j = 0; j < d; j++) center[j] /= n;
  const xs = rows.map((r) => Float64Array.from(r, (v, j) => v - center[j]));
  const s = new Float64Array(d * d);
  for (const x of xs) {
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const o = i * d;
      for (let j = i; j < d; j++) s[o + j] += xi * x[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = s[i * d + j] / n;
      s[i * d + j] = v;
      s[j * d + i] = v;
    }
  }
  let mu = 0;
  for (let i = 0; i < d; i++) mu += s[i * d + i];
  mu /= d;
  let d2 = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) d2 += (s[i * d + j] - (i === j ? mu : 0)) ** 2;
  // b² = (1/n²) Σ_k ||x_k x_kᵀ − S||²_F = (1/n²) Σ_k (||x_k||⁴ − 2 x_kᵀ S x_k + ||S||²_F)
  let sNorm = 0;
  for (let i = 0; i < d * d; i++) sNorm += s[i] * s[i];
  let b2 = 0;
  const sx = new Float64Array(d);
  for (const x of xs) {
    let nx = 0;
    for (let i = 0; i < d; i++) nx += x[i] * x[i];
    for (let i = 0; i < d; i++) {
      let acc = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) acc += s[o + j] * x[j];
      sx[i] = acc;
    }
    let q = 0;
    for (let i = 0; i < d; i++) q += x[i] * sx[i];
    b2 += nx * nx - 2 * q + sNorm;
  }
  b2 /= n * n;
  const shrinkage = d2 > 0 ? Math.min(1, b2 / d2) : 1;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) cov[i * d + j] = (1 - shrinkage) * s[i * d + j] + (i === j ? shrinkage * mu : 0);
  }
  return { cov, center, shrinkage };
}

/** Lower-triangular Cholesky factor (row-major d×d) of a symmetric positive-definite matrix. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`cholesky: matrix is not positive definite at row ${i}`);
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j];
      }
    }
  }
  return l;
}

/** ||L⁻¹ x||² = xᵀ (L Lᵀ)⁻¹ x by forward substitution. */
export function mahalanobisSq(l: Float64Array, d: number, x: Float64Array): number {
  const y = new Float64Array(d);
  let q = 0;
  for (let i = 0; i < d; i++) {
    let sum = x[i];
    const o = i * d;
    for (let k = 0; k < i; k++) sum -= l[o + k] * y[k];
    y[i] = sum / l[o + i];
    q += y[i] * y[i];
  }
  return q;
}

/** Float64Array ⇄ base64 (exact round trip for serialised models). */
export function f64ToBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToF64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  if (b.byteLength % 8 !== 0) throw new Error('base64 float64 data has a truncated length');
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function f32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  if (b.byteLength % 4 !== 0) throw new Error('base64 float32 data has a truncated length');
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/**
 * Top-k eigenvectors of a symmetric d×d matrix by orthogonal (subspace) iteration with
 * Gram-Schmidt; enough for a PCA of a few hundred features. Returns row-major k×d vectors and
 * their eigenvalues, largest first.
 */
export function topEigen(
  a: Float64Array,
  d: number,
  k: number,
  iterations = 60,
): { vectors: Float64Array; values: Float64Array } {
  let q = new Float64Array(k * d);
  // Deterministic start: a fixed pseudo-random basis.
  let s = 12345;
  for (let i = 0; i < q.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    q[i] = s / 4294967296 - 0.5;
  }
  const orth = (m: Float64Array) => {
    for (let r = 0; r < k; r++) {
      const row = m.subarray(r * d, (r + 1) * d);
      for (let p = 0; p < r; p++) {
        const prev = m.subarray(p * d, (p + 1) * d);
        let dot = 0;
        for (let j = 0; j < d; j++) dot += row[j] * prev[j];
        for (let j = 0; j < d; j++) row[j] -= dot * prev[j];
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += row[j] * row[j];
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < d; j++) row[j] /= norm;
    }
  };
  orth(q);
  const next = new Float64Array(k * d);
  for (let it = 0; it < iterations; it++) {
    next.fill(0);
    for (let r = 0; r < k; r++) {
      const v = q.subarray(r * d, (r + 1) * d);
      const o = r * d;
      for (let i = 0; i < d; i++) {
        let acc = 0;
        const ai = i * d;
        for (let j = 0; j < d; j++) acc += a[ai + j] * v[j];
        next[o + i] = acc;
      }
    }
    orth(next);
    q = Float64Array.from(next);
  }
  const values = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    const v = q.subarray(r * d, (r + 1) * d);
    let acc = 0;
    for (let i = 0; i < d; i++) {
      let av = 0;
      for (let j = 0; j < d; j++) av += a[i * d + j] * v[j];
      acc += v[i] * av;
    }
    values[r] = acc;
  }
  return { vectors: q, values };
}
