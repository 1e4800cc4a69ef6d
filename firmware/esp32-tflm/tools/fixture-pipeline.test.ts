import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeFixturePipeline, FIXTURE_DIR } from './fixture-pipeline.ts';

// The committed fixture pipeline case is what the TypeScript reference computes today: a change to
// the front end, pre-processing or score that forgets to regenerate it fails here, not in C++.
describe('fixture pipeline case', () => {
  it('is up to date with the TypeScript reference', () => {
    const p = computeFixturePipeline();
    const vectors = path.join(FIXTURE_DIR, 'vectors');
    const index = JSON.parse(readFileSync(path.join(vectors, 'index.json'), 'utf8'));
    expect(index.pipeline).toEqual(p.index);
    expect(new Uint8Array(readFileSync(path.join(vectors, 'pipeline.pcm16.bin')))).toEqual(new Uint8Array(p.pcm16.buffer));
    expect(new Uint8Array(readFileSync(path.join(vectors, 'pipeline.inputs.bin')))).toEqual(new Uint8Array(p.inputs.buffer));
    // Long enough for several whole windows, so the device's own window path is compared.
    expect((p.index.windowScores as number[]).length).toBeGreaterThanOrEqual(3);
  });
});
