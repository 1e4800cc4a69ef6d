/** Small deterministic fixtures shared by the export and training tests. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DenseActivation, DenseLayer, FloatModel } from './float-model.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** /work/shared when present (tests that need it skip cleanly when it is not). */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');

/** Park–Miller generator in [-0.5, 0.5): stable across platforms. */
export function lcg(seed = 1): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

export function randomDense(rnd: () => number, inputs: number, outputs: number, activation: DenseActivation): DenseLayer {
  return {
    inputs,
    outputs,
    activation,
    weights: Float32Array.from({ length: inputs * outputs }, () => (rnd() * 3.4) / Math.sqrt(inputs)),
    bias: Float32Array.from({ length: outputs }, () => rnd() * 0.2),
  };
}

export function randomAutoencoder(seed: number, sizes = [320, 32, 8, 32, 320]): FloatModel {
  const rnd = lcg(seed);
  return {
    layers: sizes.slice(1).map((out, k) => randomDense(rnd, sizes[k], out, k === sizes.length - 2 ? 'NONE' : 'RELU')),
  };
}

export function randomInputs(seed: number, n: number, size: number, amplitude = 4): Float32Array[] {
  const rnd = lcg(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => rnd() * 2 * amplitude));
}
