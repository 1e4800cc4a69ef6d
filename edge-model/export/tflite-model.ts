/**
 * In-memory form of a .tflite file: what the writer serialises and the reader returns. It mirrors
 * the schema closely (indices into tensors/buffers, not object links) so a round trip is lossless
 * for every field we model.
 */
import type { FusedActivation, TensorTypeCode } from './tflite-schema.ts';

export interface Quantization {
  scale: number[];
  /** int64 in the schema; held as numbers (always small for int8/int32 tensors). */
  zeroPoint: number[];
  quantizedDimension: number;
  min?: number[];
  max?: number[];
}

export interface TensorDef {
  name: string;
  shape: number[];
  type: TensorTypeCode;
  /** Index into `buffers`; 0 is the empty sentinel used by activations. */
  buffer: number;
  quantization?: Quantization;
}

export interface FullyConnectedOptionsDef {
  kind: 'FullyConnectedOptions';
  fusedActivation: FusedActivation;
  keepNumDims: boolean;
}

/** Options of ops we do not interpret: only the union type is kept (plus what is cheap to read). */
export interface OtherOptionsDef {
  kind: 'other';
  type: number;
  /** SoftmaxOptions.beta when present. */
  beta?: number;
  /** ReshapeOptions.new_shape when present. */
  newShape?: number[];
}

export type BuiltinOptionsDef = FullyConnectedOptionsDef | OtherOptionsDef;

export interface OperatorDef {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  options?: BuiltinOptionsDef;
}

export interface OperatorCodeDef {
  /** The effective builtin code: max(builtin_code, deprecated_builtin_code). */
  builtinCode: number;
  version: number;
  customCode?: string;
}

export interface SubGraphDef {
  name: string;
  tensors: TensorDef[];
  inputs: number[];
  outputs: number[];
  operators: OperatorDef[];
}

export interface TfliteModel {
  version: number;
  description: string;
  operatorCodes: OperatorCodeDef[];
  subgraphs: SubGraphDef[];
  /** Buffer 0 must be empty (the sentinel). */
  buffers: Uint8Array[];
  metadata?: { name: string; buffer: number }[];
}

/** Byte view of a constant tensor's data, or an error naming the tensor if it has none. */
export function tensorData(model: TfliteModel, tensor: TensorDef): Uint8Array {
  const data = model.buffers[tensor.buffer];
  if (!data || data.length === 0) throw new Error(`tensor "${tensor.name}" has no constant data`);
  return data;
}

export function int8View(bytes: Uint8Array): Int8Array {
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** int32 data of a constant tensor, copied so alignment of the source bytes does not matter. */
export function int32Values(bytes: Uint8Array): Int32Array {
  const out = new Int32Array(bytes.byteLength / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(i * 4, true);
  return out;
}

export function float32Values(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setInt32(i * 4, values[i], true);
  return out;
}

export function int8Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] & 0xff;
  return out;
}
