/**
 * A dense autoencoder on log-mel windows with more context than the device model sees
 * (12 frames ≈ 420 ms, 768 inputs vs the device's 5 × 64 = 320). Training uses TensorFlow.js
 * (`autoencoder-train.ts`); scoring is this plain forward pass over the stored weights, so the
 * cloud re-scores without loading TensorFlow and gives bit-identical results after a reload.
 *
 * Preprocessing (level-invariant): each window has its own mean dB removed, then every input is
 * standardised with the training windows' per-dimension mean and std. Clip score = mean over
 * windows (stride 2 frames) of the reconstruction MSE.
 */
import { base64ToF32, f32ToBase64 } from '../linalg.ts';
import type { ClipView, Detector } from './types.ts';

export const AE_CONTEXT = 12;
export const AE_NMELS = 64;
export const AE_INPUT = AE_CONTEXT * AE_NMELS;
export const AE_SCORE_STRIDE = 2;

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** [inputs × outputs] row-major (the TensorFlow.js Dense kernel layout). */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly activation: 'relu' | 'linear';
}

export interface AutoencoderJson {
  kind: 'autoencoder';
  context: number;
  nMels: number;
  mean: string;
  std: string;
  layers: { inputs: number; outputs: number; activation: 'relu' | 'linear'; kernel: string; bias: string }[];
}

/**
 * Cuts level-normalised windows of `context` frames (every `stride` frames) out of a
 * frame-major log-mel matrix; returns them concatenated.
 */
export function windows(
  logmel: Float32Array,
  frames: number,
  stride: number,
  context = AE_CONTEXT,
  nMels = AE_NMELS,
): Float32Array[] {
  const out: Float32Array[] = [];
  const dim = context * nMels;
  for (let start = 0; start + context <= frames; start += stride) {
    const w = logmel.slice(start * nMels, start * nMels + dim);
    let m = 0;
    for (let i = 0; i < dim; i++) m += w[i];
    m /= dim;
    for (let i = 0; i < dim; i++) w[i] -= m;
    out.push(w);
  }
  return out;
}

export function forward(layers: readonly DenseLayer[], input: Float32Array): Float32Array {
  let x = input;
  for (const l of layers) {
    const y = Float32Array.from(l.bias);
    for (let i = 0; i < l.inputs; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const o = i * l.outputs;
      for (let j = 0; j < l.outputs; j++) y[j] += xi * l.kernel[o + j];
    }
    if (l.activation === 'relu') for (let j = 0; j < y.length; j++) if (y[j] < 0) y[j] = 0;
    x = y;
  }
  return x;
}

export class AutoencoderDetector implements Detector {
  readonly name = 'autoencoder';
  readonly transform = 'log' as const;
  constructor(
    readonly mean: Float32Array,
    readonly std: Float32Array,
    readonly layers: readonly DenseLayer[],
  ) {
    if (mean.length !== AE_INPUT || std.length !== AE_INPUT)
      throw new Error(`autoencoder: normalisation must have ${AE_INPUT} values`);
    if (layers[0]?.inputs !== AE_INPUT || layers[layers.length - 1]?.outputs !== AE_INPUT) {
      throw new Error(`autoencoder: layers must map ${AE_INPUT} inputs back to ${AE_INPUT} outputs`);
    }
  }

  /** Standardised network input for one level-normalised window (in place). */
  normalize(w: Float32Array): Float32Array {
    for (let i = 0; i < w.length; i++) w[i] = (w[i] - this.mean[i]) / this.std[i];
    return w;
  }

  score(view: ClipView): number {
    const ws = windows(view.logmel, view.frames, AE_SCORE_STRIDE);
    if (ws.length === 0) throw new Error(`autoencoder: clip has ${view.frames} frames, needs at least ${AE_CONTEXT}`);
    let total = 0;
    for (const w of ws) {
      const x = this.normalize(w);
      const y = forward(this.layers, x);
      let e = 0;
      for (let i = 0; i < AE_INPUT; i++) e += (y[i] - x[i]) ** 2;
      total += e / AE_INPUT;
    }
    return total / ws.length;
  }

  toJSON(): AutoencoderJson {
    return {
      kind: 'autoencoder',
      context: AE_CONTEXT,
      nMels: AE_NMELS,
      mean: f32ToBase64(this.mean),
      std: f32ToBase64(this.std),
      layers: this.layers.map((l) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        activation: l.activation,
        kernel: f32ToBase64(l.kernel),
        bias: f32ToBase64(l.bias),
      })),
    };
  }

  static fromJSON(j: AutoencoderJson): AutoencoderDetector {
    if (j.context !== AE_CONTEXT || j.nMels !== AE_NMELS)
      throw new Error(`autoencoder: stored model uses ${j.context}×${j.nMels} windows, this build ${AE_CONTEXT}×${AE_NMELS}`);
    const layers = j.layers.map((l) => {
      const kernel = base64ToF32(l.kernel);
      const bias = base64ToF32(l.bias);
      if (kernel.length !== l.inputs * l.outputs || bias.length !== l.outputs)
        throw new Error('autoencoder: stored layer sizes are inconsistent');
      return { inputs: l.inputs, outputs: l.outputs, activation: l.activation, kernel, bias };
    });
    return new AutoencoderDetector(base64ToF32(j.mean), base64ToF32(j.std), layers);
  }
}
