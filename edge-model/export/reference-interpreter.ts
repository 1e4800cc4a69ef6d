/**
 * An int8 reference interpreter for chains of FULLY_CONNECTED ops, computing exactly what TFLite's
 * reference kernel (integer_ops/fully_connected.h) computes: the same Prepare-time multipliers
 * (per-tensor via GetQuantizedConvolutionMultipler, per-channel via
 * PopulateConvolutionQuantizationParams) and the same double-rounding requantisation.
 */
import { activationRangeInt8, multiplyByQuantizedMultiplier, quantizeMultiplier } from './quant-math.ts';
import { int8View, int32Values, type TensorDef, type TfliteModel, tensorData } from './tflite-model.ts';
import { BUILTIN_OPERATOR_NAMES, BuiltinOperator, TENSOR_TYPE_NAMES, TensorType } from './tflite-schema.ts';

/** Everything one FC op needs at Eval time, computed once (TFLM's OpData). */
interface FcOpData {
  input: number;
  output: number;
  weights: Int8Array;
  bias: Int32Array | null;
  /** Output channels and accumulation depth (weights are [outDepth, accumDepth]). */
  outDepth: number;
  accumDepth: number;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export interface Int8Runner {
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly input: { scale: number; zeroPoint: number };
  readonly output: { scale: number; zeroPoint: number };
  /** Runs one input tensor (the model's full input shape, batch rows included). */
  invoke(input: Int8Array): Int8Array;
}

function quantParams(t: TensorDef): { scale: number; zeroPoint: number } {
  if (!t.quantization) throw new Error(`tensor "${t.name}" is not quantised`);
  return { scale: t.quantization.scale[0], zeroPoint: t.quantization.zeroPoint[0] };
}

function expectType(t: TensorDef, type: number, role: string): void {
  if (t.type !== type) {
    throw new Error(
      `${role} "${t.name}" is ${TENSOR_TYPE_NAMES[t.type] ?? t.type}, expected ${TENSOR_TYPE_NAMES[type]} (only int8 FULLY_CONNECTED chains are supported)`,
    );
  }
}

function prepareFc(model: TfliteModel, tensors: TensorDef[], inputs: number[], outputs: number[], activation: string): FcOpData {
  const [inIdx, wIdx, bIdx] = inputs;
  const inT = tensors[inIdx];
  const wT = tensors[wIdx];
  const outT = tensors[outputs[0]];
  expectType(inT, TensorType.INT8, 'input');
  expectType(wT, TensorType.INT8, 'weights');
  expectType(outT, TensorType.INT8, 'output');
  const inQ = quantParams(inT);
  const outQ = quantParams(outT);
  const wScales = wT.quantization?.scale ?? [];
  const [outDepth, accumDepth] = [wT.shape[0], wT.shape[wT.shape.length - 1]];
  const weights = int8View(tensorData(model, wT));
  if (weights.length !== outDepth * accumDepth)
    throw new Error(`weights "${wT.name}" hold ${weights.length} values, shape says ${outDepth * accumDepth}`);
  let bias: Int32Array | null = null;
  if (bIdx !== undefined && bIdx >= 0) {
    expectType(tensors[bIdx], TensorType.INT32, 'bias');
    bias = int32Values(tensorData(model, tensors[bIdx]));
    if (bias.length !== outDepth) throw new Error(`bias "${tensors[bIdx].name}" has ${bias.length} values, expected ${outDepth}`);
  }
  const perChannel = wScales.length > 1;
  if (perChannel && wScales.length !== outDepth) {
    throw new Error(`weights "${wT.name}": ${wScales.length} scales for ${outDepth} output channels`);
  }
  const multipliers = new Int32Array(outDepth);
  const shifts = new Int32Array(outDepth);
  for (let c = 0; c < outDepth; c++) {
    // Per-tensor: float product first, then double (GetQuantizedConvolutionMultipler);
    // per-channel: all in double (PopulateConvolutionQuantizationParams).
    const real = perChannel ? (inQ.scale * wScales[c]) / outQ.scale : Math.fround(inQ.scale * wScales[0]) / outQ.scale;
    const { multiplier, shift } = quantizeMultiplier(real);
    multipliers[c] = multiplier;
    shifts[c] = shift;
  }
  const [actMin, actMax] = activationRangeInt8(activation as 'NONE', outQ.scale, outQ.zeroPoint);
  return {
    input: inIdx,
    output: outputs[0],
    weights,
    bias,
    outDepth,
    accumDepth,
    inputOffset: -inQ.zeroPoint,
    outputOffset: outQ.zeroPoint,
    multipliers,
    shifts,
    actMin,
    actMax,
  };
}

function evalFc(op: FcOpData, input: Int8Array, output: Int8Array): void {
  const { weights, bias, outDepth, accumDepth, inputOffset, outputOffset, multipliers, shifts, actMin, actMax } = op;
  const batches = input.length / accumDepth;
  for (let b = 0; b < batches; b++) {
    const inBase = b * accumDepth;
    for (let c = 0; c < outDepth; c++) {
      const wBase = c * accumDepth;
      let acc = 0;
      for (let d = 0; d < accumDepth; d++) acc += weights[wBase + d] * (input[inBase + d] + inputOffset);
      if (bias) acc += bias[c];
      let v = multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c]) + outputOffset;
      if (v < actMin) v = actMin;
      if (v > actMax) v = actMax;
      output[b * outDepth + c] = v;
    }
  }
}

/** Prepares every op once; `invoke` then only does integer arithmetic. */
export function createInt8Runner(model: TfliteModel): Int8Runner {
  const sg = model.subgraphs[0];
  if (!sg) throw new Error('model has no subgraph');
  if (sg.inputs.length !== 1 || sg.outputs.length !== 1) throw new Error('expected exactly one input and one output tensor');
  const ops = sg.operators.map((op, k) => {
    const code = model.operatorCodes[op.opcodeIndex]?.builtinCode;
    if (code !== BuiltinOperator.FULLY_CONNECTED) {
      throw new Error(
        `operator ${k} is ${BUILTIN_OPERATOR_NAMES[code] ?? code}; the reference interpreter runs FULLY_CONNECTED only`,
      );
    }
    const act = op.options?.kind === 'FullyConnectedOptions' ? op.options.fusedActivation : 'NONE';
    return prepareFc(model, sg.tensors, op.inputs, op.outputs, act);
  });
  const inT = sg.tensors[sg.inputs[0]];
  const outT = sg.tensors[sg.outputs[0]];
  const size = (t: TensorDef) => t.shape.reduce((a, b) => a * b, 1);
  const inputSize = size(inT);
  return {
    inputShape: inT.shape,
    outputShape: outT.shape,
    input: quantParams(inT),
    output: quantParams(outT),
    invoke(input) {
      if (input.length !== inputSize)
        throw new Error(`input has ${input.length} values, the model wants ${inputSize} (${inT.shape.join('x')})`);
      const values = new Map<number, Int8Array>([[sg.inputs[0], input]]);
      for (const op of ops) {
        const x = values.get(op.input);
        if (!x) throw new Error(`tensor ${op.input} is used before it is computed`);
        const y = new Int8Array((x.length / op.accumDepth) * op.outDepth);
        evalFc(op, x, y);
        values.set(op.output, y);
      }
      const out = values.get(sg.outputs[0]);
      if (!out) throw new Error('the output tensor is never computed');
      return out;
    },
  };
}
