/**
 * Checks our int8 reference against the real TFLite interpreter (tfjs-tflite). The desktop runtime
 * delegates int8 FULLY_CONNECTED to XNNPACK, whose requantisation rounds in float32 instead of
 * TFLM's fixed-point double rounding, so single elements can differ by one LSB; through a chain
 * of layers such a difference can grow. We therefore check two things: every op on its own (each
 * FC as a one-op model fed our reference's input for it) and the whole model end to end.
 */
import { createInt8Runner } from './reference-interpreter.ts';
import type { TfliteModel } from './tflite-model.ts';
import { loadTfliteRuntime } from './tflite-runtime.ts';
import { writeTflite } from './tflite-writer.ts';

export interface ValidationReport {
  /** Number of input rows compared. */
  rows: number;
  /** Largest |ours − TFLite| over every output element of the whole model, in LSB. */
  maxAbsDiff: number;
  /** Fraction of whole-model output elements that match exactly. */
  exactFraction: number;
  /** Per op: largest |ours − TFLite| when the op runs alone on our reference's input. */
  perOpMaxAbsDiff: number[];
}

/** One model per FC op, carrying just that op's tensors and buffers. */
export function splitIntoSingleOpModels(model: TfliteModel): TfliteModel[] {
  const sg = model.subgraphs[0];
  return sg.operators.map((op) => {
    const used = [...op.inputs.filter((i) => i >= 0), ...op.outputs];
    const buffers: Uint8Array[] = [new Uint8Array(0)];
    const tensors = used.map((i) => {
      const t = sg.tensors[i];
      const buffer = t.buffer === 0 || model.buffers[t.buffer].length === 0 ? 0 : buffers.push(model.buffers[t.buffer]) - 1;
      return { ...t, buffer };
    });
    const remap = (i: number) => (i < 0 ? i : used.indexOf(i));
    return {
      version: model.version,
      description: model.description,
      operatorCodes: model.operatorCodes,
      subgraphs: [
        {
          name: 'op',
          tensors,
          inputs: [remap(op.inputs[0])],
          outputs: [remap(op.outputs[0])],
          operators: [{ ...op, inputs: op.inputs.map(remap), outputs: op.outputs.map(remap) }],
        },
      ],
      buffers,
    };
  });
}

function maxDiff(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) throw new Error(`output lengths differ: ours ${a.length}, TFLite ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export async function validateAgainstTflite(model: TfliteModel, inputs: readonly Int8Array[]): Promise<ValidationReport> {
  const ours = createInt8Runner(model);
  const runtime = await loadTfliteRuntime(writeTflite(model));
  let maxAbsDiff = 0;
  let exact = 0;
  let total = 0;
  for (const x of inputs) {
    const a = ours.invoke(x);
    const b = await runtime.runInt8(x, ours.inputShape);
    maxAbsDiff = Math.max(maxAbsDiff, maxDiff(a, b));
    for (let i = 0; i < a.length; i++) exact += a[i] === b[i] ? 1 : 0;
    total += a.length;
  }
  const singles = splitIntoSingleOpModels(model);
  const perOpMaxAbsDiff: number[] = [];
  let stageInputs = inputs.slice();
  for (const single of singles) {
    const ref = createInt8Runner(single);
    const rt = await loadTfliteRuntime(writeTflite(single));
    let m = 0;
    const next: Int8Array[] = [];
    for (const x of stageInputs) {
      const a = ref.invoke(x);
      m = Math.max(m, maxDiff(a, await rt.runInt8(x, ref.inputShape)));
      next.push(a);
    }
    perOpMaxAbsDiff.push(m);
    stageInputs = next;
  }
  return { rows: inputs.length, maxAbsDiff, exactFraction: total ? exact / total : 1, perOpMaxAbsDiff };
}
