/**
 * Device budget of an int8 FC chain, computed from the model itself (printed by the export and
 * written into the card). The arena figure is an estimate of what TFLM's AllocateTensors will use;
 * the firmware measures the real value with arena_used_bytes() and the card says "estimate".
 */
import type { TfliteModel } from './tflite-model.ts';
import { TensorType } from './tflite-schema.ts';

const align16 = (n: number) => Math.ceil(n / 16) * 16;

export interface Budget {
  flashBytes: number;
  weightBytes: number;
  arenaBytes: number;
  macs: number;
}

export function modelBudget(model: TfliteModel, fileBytes: number): Budget {
  const sg = model.subgraphs[0];
  const size = (i: number) => sg.tensors[i].shape.reduce((a, b) => a * b, 1);
  let macs = 0;
  let weightBytes = 0;
  // Greedy planning of a chain: at any op only its input and output activations are live.
  let peakActivations = 0;
  let perChannelData = 0;
  for (const op of sg.operators) {
    const w = sg.tensors[op.inputs[1]];
    macs += size(op.inputs[1]);
    weightBytes += model.buffers[w.buffer]?.length ?? 0;
    if (op.inputs[2] >= 0) weightBytes += model.buffers[sg.tensors[op.inputs[2]].buffer]?.length ?? 0;
    peakActivations = Math.max(peakActivations, align16(size(op.inputs[0])) + align16(size(op.outputs[0])));
    // TFLM's FC OpData keeps per-channel multipliers and shifts (2 × int32 per output channel).
    if ((w.quantization?.scale.length ?? 1) > 1) perChannelData += align16(8 * w.shape[0]);
  }
  const activationTensors = sg.tensors.filter((t) => t.buffer === 0 && t.type === TensorType.INT8).length;
  // TfLiteEvalTensor (~24 B) per tensor, node + OpData (~128 B) per op, interpreter bookkeeping.
  const overhead = 24 * sg.tensors.length + 128 * sg.operators.length + 1024 + 16 * activationTensors;
  const arenaBytes = Math.ceil((peakActivations + perChannelData + overhead) / 256) * 256;
  return { flashBytes: fileBytes, weightBytes, arenaBytes, macs };
}
