/**
 * libsvm-js's CommonJS export is a Promise of the SVM class (it compiles its WASM first). Loaded
 * through require: an ESM default import of it breaks under Vite's interop (vitest).
 */
import { createRequire } from 'node:module';
import type { SvmClass } from 'libsvm-js';

const require = createRequire(import.meta.url);

export function loadSvm(): Promise<SvmClass> {
  return require('libsvm-js') as Promise<SvmClass>;
}
