/**
 * The real TFLite interpreter (TensorFlow Lite compiled to WASM, shipped in @tensorflow/tfjs-tflite)
 * loaded in Node. Its emscripten loader expects a browser worker, so before the package is imported
 * we provide `self`, `location` and an `importScripts` that evaluates the non-threaded glue file
 * with the .wasm bytes read from disk (Node has no blob: workers for the threaded build).
 * int8 tensors cross the boundary as int32 tensors holding the quantised values.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface TfliteRuntimeModel {
  /** Runs one int8 input (the model's full input tensor) and returns the int8 output values. */
  runInt8(input: Int8Array, inputShape: number[]): Promise<Int8Array>;
  /** Several int8 inputs in the subgraph's input order. */
  runInt8Inputs(inputs: { values: Int8Array; shape: number[] }[]): Promise<Int8Array>;
  dispose(): void;
}

type TfliteModule = typeof import('@tensorflow/tfjs-tflite');
let loaded: Promise<{ tflite: TfliteModule; tf: typeof import('@tensorflow/tfjs-core') }> | undefined;

function wasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
}

function installShims(dir: string): void {
  const g = globalThis as Record<string, unknown>;
  g.self ??= globalThis;
  g.location ??= { href: `file://${dir}/` };
  g.importScripts = (url: string) => {
    const base = url.includes('simd') ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc';
    const code = readFileSync(path.join(dir, `${base}.js`), 'utf8');
    const factory = new Function('require', '__dirname', '__filename', `${code}\nreturn tflite_web_api_ModuleFactory;`)(
      require,
      dir,
      path.join(dir, `${base}.js`),
    ) as (opts: Record<string, unknown>) => Promise<unknown>;
    const wasmBinary = readFileSync(path.join(dir, `${base}.wasm`));
    g.tflite_web_api_ModuleFactory = (opts: Record<string, unknown>) =>
      factory({ ...opts, wasmBinary, locateFile: (p: string) => path.join(dir, p) });
  };
}

async function load() {
  loaded ??= (async () => {
    const dir = wasmDir();
    installShims(dir);
    const tf = await import('@tensorflow/tfjs-core');
    // Silences tfjs's "install tfjs-node" banner (backend_util.warn honours PROD).
    tf.env().set('PROD', true);
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const tflite = await import('@tensorflow/tfjs-tflite');
    tflite.setWasmPath(`${dir}/`);
    return { tflite, tf };
  })();
  return loaded;
}

/** Loads .tflite bytes into the real TFLite interpreter (single-threaded). */
export async function loadTfliteRuntime(bytes: Uint8Array): Promise<TfliteRuntimeModel> {
  const { tflite, tf } = await load();
  const copy = bytes.slice().buffer;
  const model = await tflite.loadTFLiteModel(copy, { numThreads: 1 });
  const runInt8Inputs: TfliteRuntimeModel['runInt8Inputs'] = async (inputs) => {
    const xs = inputs.map((i) => tf.tensor(Int32Array.from(i.values), i.shape, 'int32'));
    // tfjs-tflite warns on every call that it converts our int32 tensors to the model's int8,
    // which is exactly what we ask of it; other warnings still get through.
    const warn = console.warn;
    console.warn = (...a: unknown[]) => {
      if (!String(a[0]).startsWith("WARNING: converting 'int32' to 'int8'")) warn(...a);
    };
    let y: import('@tensorflow/tfjs-core').Tensor;
    try {
      y = model.predict(xs.length === 1 ? xs[0] : xs) as import('@tensorflow/tfjs-core').Tensor;
    } finally {
      console.warn = warn;
    }
    const values = (await y.data()) as Int32Array;
    for (const x of xs) x.dispose();
    y.dispose();
    return Int8Array.from(values);
  };
  return {
    runInt8: (input, inputShape) => runInt8Inputs([{ values: input, shape: inputShape }]),
    runInt8Inputs,
    dispose() {
      // The tfjs-tflite model holds WASM memory only; nothing to release through its API.
    },
  };
}
