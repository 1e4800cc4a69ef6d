import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { quantizeModel, quantizeTensor } from './quantize.ts';
import { randomAutoencoder, randomInputs, sharedDir } from './test-helpers.ts';
import { readTflite } from './tflite-reader.ts';
import { validateAgainstTflite } from './validate.ts';

const helloWorld = path.join(sharedDir, 'golden', 'hello_world_int8.tflite');

beforeAll(() => {
  // tfjs prints a warning per int32→int8 conversion and a banner about tfjs-node.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

describe('our int8 reference vs the real TFLite interpreter (tfjs-tflite WASM)', () => {
  it.each([
    ['per-channel', true],
    ['per-tensor', false],
  ])('agrees within ±1 LSB on every element of a batch (%s weights)', async (_name, perChannel) => {
    const model = randomAutoencoder(21);
    const rep = randomInputs(22, 120, 320);
    const q = quantizeModel(model, rep, { perChannel });
    const report = await validateAgainstTflite(
      q.tflite,
      rep.slice(0, 40).map((x) => quantizeTensor(x, q.input)),
    );
    expect(report.rows).toBe(40);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1);
    expect(report.perOpMaxAbsDiff.every((d) => d <= 1)).toBe(true);
    // Not trivially equal to nothing: most elements agree exactly.
    expect(report.exactFraction).toBeGreaterThan(0.9);
  });

  it.skipIf(!existsSync(helloWorld))('runs hello_world_int8 op by op within ±1 LSB of our interpreter', async () => {
    const m = readTflite(new Uint8Array(readFileSync(helloWorld)));
    const inputs = Array.from({ length: 256 }, (_, i) => Int8Array.of(i - 128));
    const report = await validateAgainstTflite(m, inputs);
    expect(report.perOpMaxAbsDiff).toEqual(report.perOpMaxAbsDiff.map(() => expect.any(Number)));
    for (const d of report.perOpMaxAbsDiff) expect(d).toBeLessThanOrEqual(1);
    // End to end, XNNPACK's float requantisation differences grow through the 16-wide layers.
    expect(report.maxAbsDiff).toBeLessThanOrEqual(4);
    expect(report.exactFraction).toBeGreaterThan(0.8);
  });
});
