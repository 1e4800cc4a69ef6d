import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCard } from './card.ts';
import { createInt8Runner } from './reference-interpreter.ts';
import { repoRoot } from './test-helpers.ts';
import { readTflite } from './tflite-reader.ts';
import type { VectorIndex } from './vectors.ts';

const int8File = (p: string) => {
  const b = readFileSync(p);
  return new Int8Array(b.buffer, b.byteOffset, b.length);
};

// The committed models are contracts for the firmware and the cloud: card, .tflite, C array and
// vectors must describe the same model.
describe.each(['default'])('models/%s', (name) => {
  const dir = path.join(repoRoot, 'models', name);
  it.skipIf(!existsSync(path.join(dir, 'card.json')))('card, tflite, C array and vectors agree', async () => {
    const card = await readCard(path.join(dir, 'card.json'));
    const bytes = readFileSync(path.join(dir, card.files.tflite));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.sha256);
    expect(bytes.length).toBe(card.flashBytes);
    expect(readFileSync(path.join(dir, card.files.cSource), 'utf8')).toContain(`sha256 ${card.sha256}`);
    const runner = createInt8Runner(readTflite(new Uint8Array(bytes)));
    expect(runner.input).toEqual({ scale: card.input.scale, zeroPoint: card.input.zeroPoint });
    expect(runner.output).toEqual({ scale: card.output.scale, zeroPoint: card.output.zeroPoint });
    const index = JSON.parse(readFileSync(path.join(dir, card.files.vectors), 'utf8')) as VectorIndex;
    for (const c of index.cases) {
      expect(runner.invoke(int8File(path.join(dir, 'vectors', c.inputFile)))).toEqual(
        int8File(path.join(dir, 'vectors', c.outputFile)),
      );
    }
    expect(index.pipeline.windowFrames).toBe(card.score.windowFrames);
    expect(card.thresholds.borderlineLow).toBeLessThan(card.thresholds.alert);
    // The firmware's baseline learning reads these bounds (thresholds.ts explains the choice).
    expect(card.thresholds.learnMin).toBe(card.thresholds.alert);
    expect(card.thresholds.learnMax).toBeCloseTo(4 * card.thresholds.alert, 12);
    expect(index.pipeline.inputs * card.input.shape[1]).toBe(
      readFileSync(path.join(dir, 'vectors', index.pipeline.inputsFile)).length,
    );
  });
});
