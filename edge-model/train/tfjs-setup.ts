/**
 * Loads TensorFlow.js on the WASM backend (2–4× faster than the pure-JS cpu backend here).
 * tfjs-node, when a user happens to have it installed, is faster still and is used instead.
 * `tf.setBackend` returns false rather than throwing when a backend fails, so we check it and say so.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');
const require = createRequire(import.meta.url);
let ready: Promise<{ tf: Tf; backend: string }> | undefined;

export function loadTf(log: (line: string) => void = () => {}): Promise<{ tf: Tf; backend: string }> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    try {
      // Optional accelerator: present only where its install script could download libtensorflow.
      const nodeBackend = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ nodeBackend);
      if (await tf.setBackend('tensorflow')) return { tf, backend: 'tensorflow' };
    } catch {
      // not installed: fall through to wasm
    }
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${path.join(dir, 'dist')}/`);
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return { tf, backend: 'wasm' };
    }
    log('warning: the TensorFlow.js WASM backend failed to start; training on the slow pure-JS cpu backend');
    await tf.setBackend('cpu');
    return { tf, backend: 'cpu' };
  })();
  return ready;
}
