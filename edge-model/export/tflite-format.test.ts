import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizeModel, quantizeTensor } from './quantize.ts';
import { createInt8Runner } from './reference-interpreter.ts';
import { randomAutoencoder, randomInputs, sharedDir } from './test-helpers.ts';
import { float32Values, int8View, int32Values } from './tflite-model.ts';
import { bufferDataOffsets, readTflite, TfliteFormatError } from './tflite-reader.ts';
import { BuiltinOperator, TensorType } from './tflite-schema.ts';
import { writeTflite } from './tflite-writer.ts';

const golden = path.join(sharedDir, 'golden');
const haveGolden = existsSync(path.join(golden, 'hello_world_int8.tflite'));

describe('our .tflite writer and reader', () => {
  const model = randomAutoencoder(7);
  const q = quantizeModel(model, randomInputs(8, 50, 320));
  const bytes = writeTflite(q.tflite);

  it('round-trips every field we model', () => {
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe('TFL3');
    const back = readTflite(bytes);
    expect(back).toEqual(q.tflite);
    expect(writeTflite(back)).toEqual(bytes);
  });

  it('aligns every constant buffer to 16 bytes', () => {
    const offsets = bufferDataOffsets(bytes);
    expect(offsets.length).toBe(8);
    for (const o of offsets) expect(o % 16).toBe(0);
  });

  it('runs the same after the round trip', () => {
    const x = quantizeTensor(randomInputs(9, 1, 320)[0], q.input);
    expect(createInt8Runner(readTflite(bytes)).invoke(x)).toEqual(createInt8Runner(q.tflite).invoke(x));
  });

  it('rejects truncated, foreign and corrupt files with a clear error', () => {
    expect(() => readTflite(bytes.subarray(0, 6), 'tiny.tflite')).toThrow(/tiny.tflite: 6 bytes is too short/);
    const foreign = bytes.slice();
    foreign.set([0x50, 0x4b, 0x03, 0x04], 4);
    expect(() => readTflite(foreign, 'x')).toThrow(/not a TFLite flatbuffer/);
    expect(() => readTflite(bytes.subarray(0, bytes.length / 2), 'half.tflite')).toThrow(TfliteFormatError);
    const corrupt = bytes.slice();
    new DataView(corrupt.buffer).setUint32(0, 0x7fffff00, true);
    expect(() => readTflite(corrupt, 'bad.tflite')).toThrow(/bad.tflite: .*outside the file/);
  });

  it('refuses to write a model whose indices point nowhere', () => {
    const broken = structuredClone(q.tflite);
    broken.subgraphs[0].operators[0].inputs[1] = 99;
    expect(() => writeTflite(broken)).toThrow(/tensor index 99 is out of range/);
  });
});

describe.skipIf(!haveGolden)('converter-made golden models (../shared/golden)', () => {
  it('reads hello_world_int8.tflite: version 3, three FC ops, known shapes and scales', () => {
    const m = readTflite(new Uint8Array(readFileSync(path.join(golden, 'hello_world_int8.tflite'))));
    expect(m.version).toBe(3);
    expect(m.operatorCodes).toEqual([{ builtinCode: BuiltinOperator.FULLY_CONNECTED, version: 4 }]);
    const sg = m.subgraphs[0];
    expect(sg.operators).toHaveLength(3);
    const weightShapes = sg.operators.map((op) => sg.tensors[op.inputs[1]].shape);
    expect(weightShapes).toEqual([
      [16, 1],
      [16, 16],
      [1, 16],
    ]);
    expect(sg.operators.map((op) => (op.options?.kind === 'FullyConnectedOptions' ? op.options.fusedActivation : '?'))).toEqual([
      'RELU',
      'RELU',
      'NONE',
    ]);
    const input = sg.tensors[sg.inputs[0]];
    expect(input.type).toBe(TensorType.INT8);
    expect(input.quantization?.zeroPoint).toEqual([-128]);
    expect(input.quantization?.scale[0]).toBeCloseTo(0.02448, 5);
    // Fused-RELU outputs have zero point -128.
    expect(sg.tensors[sg.operators[0].outputs[0]].quantization?.zeroPoint).toEqual([-128]);
  });

  it('computes sin(x) with our int8 interpreter from the converter-made hello_world', () => {
    const m = readTflite(new Uint8Array(readFileSync(path.join(golden, 'hello_world_int8.tflite'))));
    const run = createInt8Runner(m);
    let worst = 0;
    for (let q = -128; q < 128; q++) {
      const x = (q - run.input.zeroPoint) * run.input.scale;
      const y = (run.invoke(Int8Array.of(q))[0] - run.output.zeroPoint) * run.output.scale;
      if (x <= 2 * Math.PI) worst = Math.max(worst, Math.abs(y - Math.sin(x)));
    }
    expect(worst).toBeLessThan(0.15);
  });

  it('reads micro_speech_quantized.tflite (TOCO): ops, per-channel conv, reshape and softmax facts', () => {
    const bytes = new Uint8Array(readFileSync(path.join(golden, 'micro_speech_quantized.tflite')));
    const m = readTflite(bytes);
    expect(m.version).toBe(3);
    expect(m.operatorCodes.map((c) => c.builtinCode)).toEqual([
      BuiltinOperator.DEPTHWISE_CONV_2D,
      BuiltinOperator.FULLY_CONNECTED,
      BuiltinOperator.RESHAPE,
      BuiltinOperator.SOFTMAX,
    ]);
    const sg = m.subgraphs[0];
    const byName = (n: string) => sg.tensors.find((t) => t.name === n);
    expect(byName('final_fc_weights/read/transpose')?.shape).toEqual([4, 4000]);
    const dw = byName('first_weights/read');
    expect(dw?.shape).toEqual([1, 10, 8, 8]);
    expect(dw?.quantization?.scale).toHaveLength(8);
    expect(dw?.quantization?.quantizedDimension).toBe(3);
    expect(byName('labels_softmax')?.quantization).toMatchObject({ scale: [0.00390625], zeroPoint: [-128] });
    expect(byName('Reshape_1')?.quantization?.scale[0]).toBeCloseTo(0.10171568, 7);
    const reshape = sg.operators.find((op) => m.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.RESHAPE);
    expect(reshape?.options).toMatchObject({ kind: 'other', newShape: [-1, 49, 40, 1] });
    const shapeTensor = byName('Reshape_2/shape');
    expect(shapeTensor && Array.from(int32Values(m.buffers[shapeTensor.buffer]))).toEqual([-1, 49, 40, 1]);
    const softmax = sg.operators.find((op) => m.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.SOFTMAX);
    expect(softmax?.options).toMatchObject({ beta: 1 });
    for (const o of bufferDataOffsets(bytes)) expect(o % 16).toBe(0);
    const fcW = byName('final_fc_weights/read/transpose');
    expect(fcW && int8View(m.buffers[fcW.buffer]).length).toBe(16000);
    expect(float32Values(new Uint8Array(4))[0]).toBe(0);
  });
});

describe('weights.json', () => {
  it('round-trips the float network exactly through base64 and accepts plain arrays', async () => {
    const { floatModelFromJson, floatModelToJson } = await import('./float-model.ts');
    const model = randomAutoencoder(4, [320, 8, 320]);
    const json = JSON.parse(JSON.stringify(floatModelToJson(model)));
    expect(floatModelFromJson(json)).toEqual(model);
    const plain = { layers: model.layers.map((l) => ({ ...l, weights: Array.from(l.weights), bias: Array.from(l.bias) })) };
    expect(floatModelFromJson(plain)).toEqual(model);
    expect(() => floatModelFromJson({ layers: [{ ...json.layers[0], bias: 'AAA' }] })).toThrow(/layer 0 bias/);
    expect(() => floatModelFromJson({ layers: [{ ...json.layers[0], outputs: 9 }] })).toThrow(/layer 0: 2560 weights for 9x320/);
  });
});
