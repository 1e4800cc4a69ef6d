/**
 * Trains the log-mel autoencoder with TensorFlow.js on the WASM backend (single-threaded in
 * Node; tfjs-node cannot be installed here). Loaded only by training, never by re-scoring.
 */
import type { Progress } from '../../../../cli/progress.ts';
import { mulberry32, permutation } from '../rng.ts';
import { AE_CONTEXT, AE_INPUT, AutoencoderDetector, type DenseLayer, windows } from './autoencoder.ts';

export interface AutoencoderTrainOptions {
  readonly epochs: number;
  readonly hidden: number;
  readonly bottleneck: number;
  /** Cap on training windows (randomly subsampled) to bound training time. */
  readonly maxWindows: number;
  readonly seed: number;
  readonly progress?: Progress;
}

let backendReady: Promise<typeof import('@tensorflow/tfjs')> | undefined;

async function tfWithWasm(): Promise<typeof import('@tensorflow/tfjs')> {
  backendReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    // setBackend resolves false (and silently stays on cpu) when WASM setup fails: 8× slower.
    const ok = await tf.setBackend('wasm');
    if (!ok) process.emitWarning('TensorFlow.js WASM backend unavailable; training the autoencoder on the slow cpu backend');
    await tf.ready();
    return tf;
  })();
  return backendReady;
}

export async function trainAutoencoder(
  clips: readonly { logmel: Float32Array; frames: number }[],
  opts: AutoencoderTrainOptions,
): Promise<AutoencoderDetector> {
  const tf = await tfWithWasm();
  const all: Float32Array[] = [];
  for (const c of clips) all.push(...windows(c.logmel, c.frames, 2));
  if (all.length === 0) throw new Error(`autoencoder: no training windows (clips need at least ${AE_CONTEXT} frames)`);
  const rand = mulberry32(opts.seed);
  const chosen = permutation(all.length, rand)
    .slice(0, opts.maxWindows)
    .map((i) => all[i]);
  const n = chosen.length;
  const mean = new Float32Array(AE_INPUT);
  const std = new Float32Array(AE_INPUT);
  for (const w of chosen) for (let i = 0; i < AE_INPUT; i++) mean[i] += w[i] / n;
  for (const w of chosen) for (let i = 0; i < AE_INPUT; i++) std[i] += (w[i] - mean[i]) ** 2 / n;
  // Floor of 1 dB: a band that never moved on normal data must not turn numerical noise into error.
  for (let i = 0; i < AE_INPUT; i++) std[i] = Math.max(1, Math.sqrt(std[i]));
  const data = new Float32Array(n * AE_INPUT);
  chosen.forEach((w, r) => {
    for (let i = 0; i < AE_INPUT; i++) data[r * AE_INPUT + i] = (w[i] - mean[i]) / std[i];
  });

  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [AE_INPUT], units: opts.hidden, activation: 'relu', kernelInitializer: init(opts.seed + 1) }),
      tf.layers.dense({ units: opts.bottleneck, activation: 'relu', kernelInitializer: init(opts.seed + 2) }),
      tf.layers.dense({ units: opts.hidden, activation: 'relu', kernelInitializer: init(opts.seed + 3) }),
      tf.layers.dense({ units: AE_INPUT, activation: 'linear', kernelInitializer: init(opts.seed + 4) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  const x = tf.tensor2d(data, [n, AE_INPUT]);
  try {
    await model.fit(x, x, {
      epochs: opts.epochs,
      batchSize: 128,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => opts.progress?.update(epoch + 1, opts.epochs, `loss ${(logs?.loss ?? 0).toFixed(4)}`),
      },
    });
    const layers: DenseLayer[] = [];
    for (const layer of model.layers) {
      const [k, b] = layer.getWeights();
      const [inputs, outputs] = k.shape as [number, number];
      layers.push({
        inputs,
        outputs,
        kernel: Float32Array.from(await k.data()),
        bias: Float32Array.from(await b.data()),
        activation: layer === model.layers[model.layers.length - 1] ? 'linear' : 'relu',
      });
    }
    return new AutoencoderDetector(mean, std, layers);
  } finally {
    x.dispose();
    model.dispose();
  }
}
