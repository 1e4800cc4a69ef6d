/**
 * Serialises a TfliteModel to .tflite bytes with the flatbuffers Builder (no generated code: the
 * field ids come from tflite-schema.ts). Constant data is 16-byte aligned as schema.fbs asks
 * (`force_align: 16`), which also keeps int32 bias loads aligned on the ESP32.
 */
import { Builder } from 'flatbuffers';
import type { OperatorDef, Quantization, SubGraphDef, TensorDef, TfliteModel } from './tflite-model.ts';
import {
  ActivationFunction,
  BuiltinOptions,
  F,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  TABLE_FIELDS,
  TFLITE_FILE_IDENTIFIER,
} from './tflite-schema.ts';

type Offset = number;

function intVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function alignedBytes(b: Builder, data: Uint8Array): Offset {
  b.startVector(1, data.length, 16);
  for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]);
  return b.endVector();
}

function writeQuantization(b: Builder, q: Quantization): Offset {
  const min = q.min ? floatVector(b, q.min) : 0;
  const max = q.max ? floatVector(b, q.max) : 0;
  const scale = floatVector(b, q.scale);
  const zp = int64Vector(b, q.zeroPoint);
  const f = F.QuantizationParameters;
  b.startObject(TABLE_FIELDS.QuantizationParameters);
  if (min) b.addFieldOffset(f.min, min, 0);
  if (max) b.addFieldOffset(f.max, max, 0);
  b.addFieldOffset(f.scale, scale, 0);
  b.addFieldOffset(f.zero_point, zp, 0);
  b.addFieldInt32(f.quantized_dimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorDef): Offset {
  const shape = intVector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quantization ? writeQuantization(b, t.quantization) : 0;
  const f = F.Tensor;
  b.startObject(TABLE_FIELDS.Tensor);
  b.addFieldOffset(f.shape, shape, 0);
  b.addFieldInt8(f.type, t.type, 0);
  b.addFieldInt32(f.buffer, t.buffer, 0);
  b.addFieldOffset(f.name, name, 0);
  if (quant) b.addFieldOffset(f.quantization, quant, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: OperatorDef): Offset {
  const inputs = intVector(b, op.inputs);
  const outputs = intVector(b, op.outputs);
  let optionsType = BuiltinOptions.NONE as number;
  let options: Offset = 0;
  if (op.options?.kind === 'FullyConnectedOptions') {
    optionsType = BuiltinOptions.FullyConnectedOptions;
    const f = F.FullyConnectedOptions;
    b.startObject(TABLE_FIELDS.FullyConnectedOptions);
    b.addFieldInt8(f.fused_activation_function, ActivationFunction[op.options.fusedActivation], 0);
    b.addFieldInt8(f.keep_num_dims, op.options.keepNumDims ? 1 : 0, 0);
    options = b.endObject();
  } else if (op.options) {
    throw new Error(`the writer only emits FullyConnectedOptions (got union type ${op.options.type})`);
  }
  const f = F.Operator;
  b.startObject(TABLE_FIELDS.Operator);
  b.addFieldInt32(f.opcode_index, op.opcodeIndex, 0);
  b.addFieldOffset(f.inputs, inputs, 0);
  b.addFieldOffset(f.outputs, outputs, 0);
  if (options) {
    b.addFieldInt8(f.builtin_options_type, optionsType, 0);
    b.addFieldOffset(f.builtin_options, options, 0);
  }
  return b.endObject();
}

function writeSubGraph(b: Builder, sg: SubGraphDef): Offset {
  const tensors = offsetVector(
    b,
    sg.tensors.map((t) => writeTensor(b, t)),
  );
  const inputs = intVector(b, sg.inputs);
  const outputs = intVector(b, sg.outputs);
  const operators = offsetVector(
    b,
    sg.operators.map((op) => writeOperator(b, op)),
  );
  const name = b.createString(sg.name);
  const f = F.SubGraph;
  b.startObject(TABLE_FIELDS.SubGraph);
  b.addFieldOffset(f.tensors, tensors, 0);
  b.addFieldOffset(f.inputs, inputs, 0);
  b.addFieldOffset(f.outputs, outputs, 0);
  b.addFieldOffset(f.operators, operators, 0);
  b.addFieldOffset(f.name, name, 0);
  return b.endObject();
}

/** Checks the invariants a runtime relies on, so a malformed model fails here rather than on a device. */
export function validateModel(model: TfliteModel): void {
  if (model.buffers.length === 0 || model.buffers[0].length !== 0) {
    throw new Error('buffer 0 must exist and be empty (the schema sentinel)');
  }
  for (const sg of model.subgraphs) {
    const checkTensor = (i: number, where: string) => {
      if (!Number.isInteger(i) || i < -1 || i >= sg.tensors.length) {
        throw new Error(`${where}: tensor index ${i} is out of range (0..${sg.tensors.length - 1})`);
      }
    };
    for (const i of sg.inputs) checkTensor(i, 'subgraph input');
    for (const i of sg.outputs) checkTensor(i, 'subgraph output');
    sg.operators.forEach((op, k) => {
      if (op.opcodeIndex < 0 || op.opcodeIndex >= model.operatorCodes.length) {
        throw new Error(`operator ${k}: opcode index ${op.opcodeIndex} is out of range`);
      }
      for (const i of op.inputs) checkTensor(i, `operator ${k} input`);
      for (const i of op.outputs) checkTensor(i, `operator ${k} output`);
    });
    for (const t of sg.tensors) {
      if (t.buffer < 0 || t.buffer >= model.buffers.length) {
        throw new Error(`tensor "${t.name}": buffer ${t.buffer} is out of range`);
      }
      if (t.quantization && t.quantization.scale.length === 0) {
        throw new Error(`tensor "${t.name}": quantization needs at least one scale`);
      }
    }
  }
}

export function writeTflite(model: TfliteModel): Uint8Array {
  validateModel(model);
  const b = new Builder(1024 + model.buffers.reduce((n, x) => n + x.length + 32, 0));
  // Buffers first: the builder writes back to front, so they end up at the end of the file.
  const buffers = offsetVector(
    b,
    model.buffers.map((data) => {
      const dataOff = data.length > 0 ? alignedBytes(b, data) : 0;
      b.startObject(TABLE_FIELDS.Buffer);
      if (dataOff) b.addFieldOffset(F.Buffer.data, dataOff, 0);
      return b.endObject();
    }),
  );
  const subgraphs = offsetVector(
    b,
    model.subgraphs.map((sg) => writeSubGraph(b, sg)),
  );
  const opcodes = offsetVector(
    b,
    model.operatorCodes.map((oc) => {
      const custom = oc.customCode !== undefined ? b.createString(oc.customCode) : 0;
      const f = F.OperatorCode;
      b.startObject(TABLE_FIELDS.OperatorCode);
      b.addFieldInt8(f.deprecated_builtin_code, Math.min(oc.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
      if (custom) b.addFieldOffset(f.custom_code, custom, 0);
      b.addFieldInt32(f.version, oc.version, 1);
      b.addFieldInt32(f.builtin_code, oc.builtinCode, 0);
      return b.endObject();
    }),
  );
  const description = b.createString(model.description);
  const f = F.Model;
  b.startObject(TABLE_FIELDS.Model);
  b.addFieldInt32(f.version, model.version, 0);
  b.addFieldOffset(f.operator_codes, opcodes, 0);
  b.addFieldOffset(f.subgraphs, subgraphs, 0);
  b.addFieldOffset(f.description, description, 0);
  b.addFieldOffset(f.buffers, buffers, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
