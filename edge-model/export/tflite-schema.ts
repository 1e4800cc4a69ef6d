/**
 * The subset of the TFLite flatbuffer schema (schema.fbs, version 3) that our writer, reader and
 * reference interpreter use. Numbers are the schema's enum values; field ids follow declaration
 * order (a union takes two ids: its type byte, then the table offset).
 */

export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;

export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  INT8: 9,
} as const;
export type TensorTypeCode = number;

export const TENSOR_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TensorType).map(([k, v]) => [v, k]));

export const BuiltinOperator = {
  ADD: 0,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  RELU: 19,
  RESHAPE: 22,
  SOFTMAX: 25,
  QUANTIZE: 114,
} as const;

export const BUILTIN_OPERATOR_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(BuiltinOperator).map(([k, v]) => [v, k]),
);

/** Readers take max(builtin_code, deprecated_builtin_code); codes > 127 use this placeholder. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** BuiltinOptions union member indices (NONE = 0). */
export const BuiltinOptions = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ReshapeOptions: 17,
} as const;

export const ActivationFunction = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;
export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6';
export const ACTIVATION_NAMES: Record<number, FusedActivation> = {
  0: 'NONE',
  1: 'RELU',
  2: 'RELU_N1_TO_1',
  3: 'RELU6',
};

/** Field ids (vtable slots) per table, from schema.fbs. */
export const F = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata: 6 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5, shape_signature: 7 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, quantized_dimension: 6 },
  Buffer: { data: 0 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  FullyConnectedOptions: { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2, asymmetric_quantize_inputs: 3 },
  SoftmaxOptions: { beta: 0 },
  ReshapeOptions: { new_shape: 0 },
  Metadata: { name: 0, buffer: 1 },
} as const;

/** Number of vtable slots to reserve when writing a table (its highest field id we write + 1). */
export const TABLE_FIELDS = {
  Model: 5,
  OperatorCode: 4,
  SubGraph: 5,
  Tensor: 5,
  QuantizationParameters: 7,
  Buffer: 1,
  Operator: 5,
  FullyConnectedOptions: 3,
} as const;
