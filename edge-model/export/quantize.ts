/**
 * Full-integer post-training quantisation of a dense chain into a TfliteModel: int8 activations
 * (asymmetric, ranges from a representative dataset), int8 symmetric weights (per-channel on
 * axis 0 or per-tensor), int32 biases with bias_scale = in_scale·w_scale exactly. Every parameter
 * is computed here, once, in the way TFLite's calibrator does, and rounded to float32 as the file
 * stores it, so the reference interpreter sees exactly what a device sees.
 */
import { type FloatModel, floatForward, validateFloatModel } from './float-model.ts';
import { int8Bytes, int32Bytes, type TensorDef, type TfliteModel } from './tflite-model.ts';
import { BuiltinOperator, TensorType } from './tflite-schema.ts';

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export interface QuantizeOptions {
  /** Per-channel weight scales (TFLM and ESP-NN support it for FC); default true. */
  perChannel?: boolean;
  description?: string;
}

export interface QuantizedModel {
  tflite: TfliteModel;
  input: QuantParams;
  output: QuantParams;
  /** Calibrated float ranges per tensor: [input, layer0 output, layer1 output, ...]. */
  ranges: [number, number][];
}

/** ChooseQuantizationParams for int8: the range is widened to include 0 and the zero point nudged. */
export function chooseQuantParams(min: number, max: number): QuantParams {
  const qmin = -128;
  const qmax = 127;
  let lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`cannot quantise a non-finite range [${min}, ${max}]`);
  if (hi - lo < 1e-8) {
    lo = -1e-3;
    hi = 1e-3;
  }
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  const zpFromMin = qmin - lo / scale;
  const zpFromMax = qmax - hi / scale;
  const errMin = Math.abs(qmin) + Math.abs(lo / scale);
  const errMax = Math.abs(qmax) + Math.abs(hi / scale);
  const zp = errMin < errMax ? zpFromMin : zpFromMax;
  const zeroPoint = zp < qmin ? qmin : zp > qmax ? qmax : Math.round(zp);
  return { scale, zeroPoint };
}

export function quantizeTensor(values: ArrayLike<number>, q: QuantParams): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] / q.scale) + q.zeroPoint;
    out[i] = v < -128 ? -128 : Math.min(v, 127);
  }
  return out;
}

export function dequantizeTensor(values: Int8Array, q: QuantParams): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - q.zeroPoint) * q.scale;
  return out;
}

/** Symmetric int8 weights in [-127, 127], one scale per output row (or one for all). */
export function quantizeWeights(
  weights: Float32Array,
  outputs: number,
  inputs: number,
  perChannel: boolean,
): { q: Int8Array; scales: number[] } {
  const absMax = (from: number, to: number) => {
    let m = 0;
    for (let i = from; i < to; i++) m = Math.max(m, Math.abs(weights[i]));
    return m;
  };
  const scales = perChannel
    ? Array.from({ length: outputs }, (_, o) => Math.fround(Math.max(absMax(o * inputs, (o + 1) * inputs), 1e-12) / 127))
    : [Math.fround(Math.max(absMax(0, weights.length), 1e-12) / 127)];
  const q = new Int8Array(weights.length);
  for (let o = 0; o < outputs; o++) {
    const s = scales[perChannel ? o : 0];
    for (let i = 0; i < inputs; i++) {
      const v = Math.round(weights[o * inputs + i] / s);
      q[o * inputs + i] = Math.max(-127, Math.min(127, v));
    }
  }
  return { q, scales };
}

/** Min/max of the input and of every layer's output over the representative inputs. */
export function calibrate(model: FloatModel, representative: readonly Float32Array[]): [number, number][] {
  if (representative.length === 0) throw new Error('quantisation needs at least one representative input');
  const ranges: [number, number][] = Array.from({ length: model.layers.length + 1 }, () => [Infinity, -Infinity]);
  const track = (k: number, v: Float32Array) => {
    const r = ranges[k];
    for (const x of v) {
      if (x < r[0]) r[0] = x;
      if (x > r[1]) r[1] = x;
    }
  };
  for (const x of representative) {
    track(0, x);
    floatForward(model, x, (k, y) => track(k + 1, y));
  }
  return ranges;
}

export function quantizeModel(
  model: FloatModel,
  representative: readonly Float32Array[],
  opts: QuantizeOptions = {},
): QuantizedModel {
  validateFloatModel(model);
  const perChannel = opts.perChannel ?? true;
  const ranges = calibrate(model, representative);
  const act = ranges.map(([lo, hi]) => chooseQuantParams(lo, hi));
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const tensors: TensorDef[] = [];
  const addTensor = (t: TensorDef) => tensors.push(t) - 1;
  const addBuffer = (data: Uint8Array) => buffers.push(data) - 1;
  const activationTensor = (name: string, size: number, q: QuantParams) =>
    addTensor({
      name,
      shape: [1, size],
      type: TensorType.INT8,
      buffer: 0,
      quantization: { scale: [q.scale], zeroPoint: [q.zeroPoint], quantizedDimension: 0 },
    });
  const input = activationTensor('input', model.layers[0].inputs, act[0]);
  let prev = input;
  const operators = model.layers.map((layer, k) => {
    const inQ = act[k];
    const { q, scales } = quantizeWeights(layer.weights, layer.outputs, layer.inputs, perChannel);
    const w = addTensor({
      name: `dense_${k}/weights`,
      shape: [layer.outputs, layer.inputs],
      type: TensorType.INT8,
      buffer: addBuffer(int8Bytes(q)),
      quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 },
    });
    // The kernel adds the bias to an accumulator in units of in_scale·w_scale: match it exactly.
    const biasScales = scales.map((s) => Math.fround(inQ.scale * s));
    const biasQ = Array.from(layer.bias, (b, o) => {
      const v = Math.round(b / biasScales[perChannel ? o : 0]);
      return Math.max(-2147483647, Math.min(2147483647, v));
    });
    const b = addTensor({
      name: `dense_${k}/bias`,
      shape: [layer.outputs],
      type: TensorType.INT32,
      buffer: addBuffer(int32Bytes(biasQ)),
      quantization: { scale: biasScales, zeroPoint: biasScales.map(() => 0), quantizedDimension: 0 },
    });
    const last = k === model.layers.length - 1;
    const out = activationTensor(last ? 'output' : `dense_${k}/out`, layer.outputs, act[k + 1]);
    const op = {
      opcodeIndex: 0,
      inputs: [prev, w, b],
      outputs: [out],
      options: { kind: 'FullyConnectedOptions' as const, fusedActivation: layer.activation, keepNumDims: false },
    };
    prev = out;
    return op;
  });
  const tflite: TfliteModel = {
    version: 3,
    description: opts.description ?? 'Signalcraft edge anomaly model',
    // Version 4 is what the converter writes for int8 FC; desktop TFLite checks it, TFLM ignores it.
    operatorCodes: [{ builtinCode: BuiltinOperator.FULLY_CONNECTED, version: 4 }],
    subgraphs: [{ name: 'main', tensors, inputs: [input], outputs: [prev], operators }],
    buffers,
  };
  return { tflite, input: act[0], output: act[act.length - 1], ranges };
}
