/**
 * Reads .tflite bytes into a TfliteModel (the subset of schema.fbs we model). Works on our own files
 * and on converter-made ones (TOCO and MLIR). Bounds are checked on every offset, so a truncated or
 * corrupt file gives a TfliteFormatError rather than garbage.
 */
import { ByteBuffer } from 'flatbuffers';
import type {
  BuiltinOptionsDef,
  OperatorCodeDef,
  OperatorDef,
  Quantization,
  SubGraphDef,
  TensorDef,
  TfliteModel,
} from './tflite-model.ts';
import { ACTIVATION_NAMES, BuiltinOptions, F, TFLITE_FILE_IDENTIFIER } from './tflite-schema.ts';

export class TfliteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteFormatError';
  }
}

class Reader {
  readonly bb: ByteBuffer;
  readonly size: number;
  constructor(bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
  }
  check(pos: number, len: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.size) {
      throw new TfliteFormatError(`${what} lies outside the file (offset ${pos}, ${len} bytes, file ${this.size} bytes)`);
    }
  }
  /** Absolute position of a field, or 0 when the table omits it. */
  field(table: number, id: number): number {
    this.check(table, 4, 'table');
    const vtable = table - this.bb.readInt32(table);
    this.check(vtable, 4, 'vtable');
    const vtSize = this.bb.readUint16(vtable);
    this.check(vtable, vtSize, 'vtable');
    const slot = 4 + 2 * id;
    if (slot >= vtSize) return 0;
    const rel = this.bb.readUint16(vtable + slot);
    return rel ? table + rel : 0;
  }
  int(table: number, id: number, def: number, width: 8 | 32, unsigned = false): number {
    const p = this.field(table, id);
    if (!p) return def;
    this.check(p, width / 8, 'scalar');
    if (width === 8) return unsigned ? this.bb.readUint8(p) : this.bb.readInt8(p);
    return unsigned ? this.bb.readUint32(p) : this.bb.readInt32(p);
  }
  table(table: number, id: number): number {
    const p = this.field(table, id);
    if (!p) return 0;
    this.check(p, 4, 'offset');
    const t = p + this.bb.readUint32(p);
    this.check(t, 4, 'table');
    return t;
  }
  /** [start, length] of a vector field, or null when absent. */
  vector(table: number, id: number, elemSize: number): [number, number] | null {
    const p = this.field(table, id);
    if (!p) return null;
    this.check(p, 4, 'offset');
    const v = p + this.bb.readUint32(p);
    this.check(v, 4, 'vector');
    const len = this.bb.readUint32(v);
    this.check(v + 4, len * elemSize, 'vector data');
    return [v + 4, len];
  }
  ints(table: number, id: number): number[] {
    const v = this.vector(table, id, 4);
    if (!v) return [];
    return Array.from({ length: v[1] }, (_, i) => this.bb.readInt32(v[0] + 4 * i));
  }
  floats(table: number, id: number): number[] | undefined {
    const v = this.vector(table, id, 4);
    if (!v) return undefined;
    return Array.from({ length: v[1] }, (_, i) => this.bb.readFloat32(v[0] + 4 * i));
  }
  int64s(table: number, id: number): number[] {
    const v = this.vector(table, id, 8);
    if (!v) return [];
    return Array.from({ length: v[1] }, (_, i) => Number(this.bb.readInt64(v[0] + 8 * i)));
  }
  tables(table: number, id: number): number[] {
    const v = this.vector(table, id, 4);
    if (!v) return [];
    return Array.from({ length: v[1] }, (_, i) => {
      const p = v[0] + 4 * i;
      const t = p + this.bb.readUint32(p);
      this.check(t, 4, 'table');
      return t;
    });
  }
  string(table: number, id: number): string | undefined {
    const v = this.vector(table, id, 1);
    if (!v) return undefined;
    return new TextDecoder().decode(this.bb.bytes().subarray(v[0], v[0] + v[1]));
  }
  bytes(table: number, id: number): Uint8Array {
    const v = this.vector(table, id, 1);
    if (!v) return new Uint8Array(0);
    return this.bb.bytes().slice(v[0], v[0] + v[1]);
  }
}

function readQuantization(r: Reader, q: number): Quantization | undefined {
  const f = F.QuantizationParameters;
  const scale = r.floats(q, f.scale) ?? [];
  const zeroPoint = r.int64s(q, f.zero_point);
  // TFLM treats a tensor as affine-quantised only when both are present and non-empty.
  if (scale.length === 0 || zeroPoint.length === 0) return undefined;
  const out: Quantization = { scale, zeroPoint, quantizedDimension: r.int(q, f.quantized_dimension, 0, 32) };
  const min = r.floats(q, f.min);
  const max = r.floats(q, f.max);
  if (min?.length) out.min = min;
  if (max?.length) out.max = max;
  return out;
}

function readTensor(r: Reader, t: number): TensorDef {
  const f = F.Tensor;
  const q = r.table(t, f.quantization);
  const tensor: TensorDef = {
    name: r.string(t, f.name) ?? '',
    shape: r.ints(t, f.shape),
    type: r.int(t, f.type, 0, 8),
    buffer: r.int(t, f.buffer, 0, 32, true),
  };
  const quant = q ? readQuantization(r, q) : undefined;
  if (quant) tensor.quantization = quant;
  return tensor;
}

function readOptions(r: Reader, op: number): BuiltinOptionsDef | undefined {
  const type = r.int(op, F.Operator.builtin_options_type, 0, 8, true);
  if (type === BuiltinOptions.NONE) return undefined;
  const t = r.table(op, F.Operator.builtin_options);
  if (type === BuiltinOptions.FullyConnectedOptions) {
    const f = F.FullyConnectedOptions;
    const act = t ? r.int(t, f.fused_activation_function, 0, 8) : 0;
    const fused = ACTIVATION_NAMES[act];
    if (!fused) throw new TfliteFormatError(`unsupported fused activation ${act} in FullyConnectedOptions`);
    return {
      kind: 'FullyConnectedOptions',
      fusedActivation: fused,
      keepNumDims: t ? r.int(t, f.keep_num_dims, 0, 8) !== 0 : false,
    };
  }
  const other: BuiltinOptionsDef = { kind: 'other', type };
  if (t && type === BuiltinOptions.SoftmaxOptions) {
    const p = r.field(t, F.SoftmaxOptions.beta);
    other.beta = p ? r.bb.readFloat32(p) : 0;
  }
  if (t && type === BuiltinOptions.ReshapeOptions) other.newShape = r.ints(t, F.ReshapeOptions.new_shape);
  return other;
}

function readOperator(r: Reader, op: number): OperatorDef {
  const f = F.Operator;
  const def: OperatorDef = {
    opcodeIndex: r.int(op, f.opcode_index, 0, 32, true),
    inputs: r.ints(op, f.inputs),
    outputs: r.ints(op, f.outputs),
  };
  const options = readOptions(r, op);
  if (options) def.options = options;
  return def;
}

function readSubGraph(r: Reader, sg: number): SubGraphDef {
  const f = F.SubGraph;
  return {
    name: r.string(sg, f.name) ?? '',
    tensors: r.tables(sg, f.tensors).map((t) => readTensor(r, t)),
    inputs: r.ints(sg, f.inputs),
    outputs: r.ints(sg, f.outputs),
    operators: r.tables(sg, f.operators).map((o) => readOperator(r, o)),
  };
}

function readOperatorCode(r: Reader, oc: number): OperatorCodeDef {
  const f = F.OperatorCode;
  const deprecated = r.int(oc, f.deprecated_builtin_code, 0, 8);
  const builtin = r.int(oc, f.builtin_code, 0, 32);
  const def: OperatorCodeDef = { builtinCode: Math.max(builtin, deprecated), version: r.int(oc, f.version, 1, 32) };
  const custom = r.string(oc, f.custom_code);
  if (custom !== undefined) def.customCode = custom;
  return def;
}

export function readTflite(bytes: Uint8Array, name = 'model'): TfliteModel {
  if (bytes.length < 8) throw new TfliteFormatError(`${name}: ${bytes.length} bytes is too short for a .tflite file`);
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== TFLITE_FILE_IDENTIFIER) {
    throw new TfliteFormatError(`${name}: not a TFLite flatbuffer (identifier "${ident}", expected "TFL3")`);
  }
  const r = new Reader(bytes);
  try {
    const root = r.bb.readUint32(0);
    r.check(root, 4, 'root table');
    const f = F.Model;
    const model: TfliteModel = {
      version: r.int(root, f.version, 0, 32, true),
      description: r.string(root, f.description) ?? '',
      operatorCodes: r.tables(root, f.operator_codes).map((oc) => readOperatorCode(r, oc)),
      subgraphs: r.tables(root, f.subgraphs).map((sg) => readSubGraph(r, sg)),
      buffers: r.tables(root, f.buffers).map((b) => r.bytes(b, F.Buffer.data)),
    };
    const metadata = r.tables(root, f.metadata).map((m) => ({
      name: r.string(m, F.Metadata.name) ?? '',
      buffer: r.int(m, F.Metadata.buffer, 0, 32, true),
    }));
    if (metadata.length) model.metadata = metadata;
    return model;
  } catch (err) {
    if (err instanceof TfliteFormatError) throw new TfliteFormatError(`${name}: ${err.message}`);
    throw new TfliteFormatError(`${name}: corrupt flatbuffer (${(err as Error).message})`);
  }
}

/** File offsets at which each non-empty buffer's data starts (to check the 16-byte alignment). */
export function bufferDataOffsets(bytes: Uint8Array): number[] {
  const r = new Reader(bytes);
  const root = r.bb.readUint32(0);
  return r
    .tables(root, F.Model.buffers)
    .map((b) => r.vector(b, F.Buffer.data, 1))
    .filter((v): v is [number, number] => v !== null && v[1] > 0)
    .map((v) => v[0]);
}
