/**
 * The trained network as plain arrays: a chain of dense layers. It is what training saves
 * (weights.json), what the quantiser reads, and what the float scorer runs, so float scores do
 * not depend on TensorFlow.js being loaded. Weights use TFLite's FULLY_CONNECTED layout
 * [out, in] (tfjs Dense kernels are [in, out] and are transposed once when saved).
 */
export type DenseActivation = 'NONE' | 'RELU';

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major [outputs, inputs]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly activation: DenseActivation;
}

export interface FloatModel {
  readonly layers: readonly DenseLayer[];
}

export function denseForward(layer: DenseLayer, x: Float32Array, out = new Float32Array(layer.outputs)): Float32Array {
  const { inputs, outputs, weights, bias, activation } = layer;
  for (let o = 0; o < outputs; o++) {
    let acc = bias[o];
    const base = o * inputs;
    for (let i = 0; i < inputs; i++) acc += weights[base + i] * x[i];
    out[o] = activation === 'RELU' && acc < 0 ? 0 : acc;
  }
  return out;
}

/** Runs one input vector; `onLayer` sees every layer's output (for calibration). */
export function floatForward(
  model: FloatModel,
  x: Float32Array,
  onLayer?: (index: number, y: Float32Array) => void,
): Float32Array {
  let v = x;
  model.layers.forEach((layer, k) => {
    v = denseForward(layer, v);
    onLayer?.(k, v);
  });
  return v;
}

/** Checks that consecutive layer sizes chain and that array lengths match, naming the layer. */
export function validateFloatModel(model: FloatModel): void {
  if (model.layers.length === 0) throw new Error('the model has no layers');
  model.layers.forEach((l, k) => {
    if (l.weights.length !== l.inputs * l.outputs)
      throw new Error(`layer ${k}: ${l.weights.length} weights for ${l.outputs}x${l.inputs}`);
    if (l.bias.length !== l.outputs) throw new Error(`layer ${k}: ${l.bias.length} biases for ${l.outputs} outputs`);
    if (k > 0 && model.layers[k - 1].outputs !== l.inputs)
      throw new Error(`layer ${k} takes ${l.inputs} inputs but layer ${k - 1} gives ${model.layers[k - 1].outputs}`);
    for (const v of l.weights) if (!Number.isFinite(v)) throw new Error(`layer ${k} has a non-finite weight`);
    for (const v of l.bias) if (!Number.isFinite(v)) throw new Error(`layer ${k} has a non-finite bias`);
  });
}

export function macCount(model: FloatModel): number {
  return model.layers.reduce((n, l) => n + l.inputs * l.outputs, 0);
}

/**
 * JSON form (weights.json). Arrays are float32 little-endian, base64-encoded (a quarter of the size
 * of printed decimals and exact); plain number arrays are accepted too, for hand-made models.
 */
export interface FloatModelJson {
  layers: {
    inputs: number;
    outputs: number;
    activation: DenseActivation;
    weights: number[] | string;
    bias: number[] | string;
  }[];
}

function toBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromJsonArray(v: unknown, what: string): Float32Array {
  if (Array.isArray(v)) return Float32Array.from(v as number[]);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'base64');
    if (b.length % 4 !== 0) throw new Error(`${what}: base64 data is not a whole number of float32 values`);
    const out = new Float32Array(b.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
    return out;
  }
  throw new Error(`${what} must be an array of numbers or base64 float32 data`);
}

export function floatModelToJson(model: FloatModel): FloatModelJson {
  return {
    layers: model.layers.map((l) => ({
      inputs: l.inputs,
      outputs: l.outputs,
      activation: l.activation,
      weights: toBase64(l.weights),
      bias: toBase64(l.bias),
    })),
  };
}

export function floatModelFromJson(json: FloatModelJson): FloatModel {
  if (!json || !Array.isArray(json.layers)) throw new Error('no "layers" array');
  const model: FloatModel = {
    layers: json.layers.map((l, k) => {
      if (l.activation !== 'NONE' && l.activation !== 'RELU') throw new Error(`layer ${k}: activation must be NONE or RELU`);
      return {
        inputs: l.inputs,
        outputs: l.outputs,
        activation: l.activation,
        weights: fromJsonArray(l.weights, `layer ${k} weights`),
        bias: fromJsonArray(l.bias, `layer ${k} bias`),
      };
    }),
  };
  validateFloatModel(model);
  return model;
}
