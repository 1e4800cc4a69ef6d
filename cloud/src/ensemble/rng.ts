import { mulberry32 } from '../../../edge-model/src/synth/prng.ts';

/** Seeded PRNG (mulberry32): training is reproducible for a given seed. */
export { mulberry32 };

/** Fisher-Yates shuffle of 0..n-1 with the given generator. */
export function permutation(n: number, rand: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * Runs `fn` with Math.random replaced by a seeded generator. Some libraries (ml-isolation-forest)
 * draw from Math.random and take no seed; this makes their training reproducible.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
