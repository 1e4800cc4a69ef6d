import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clip } from '../src/eval/types.ts';
import { synthesizeClip } from '../src/synth/clip.ts';
import { sampleMachine } from '../src/synth/machine.ts';
import { saveTrainedModel } from '../train/model-dir.ts';
import { loadEdgeScorers } from '../train/scorer.ts';
import { trainEdgeModel } from '../train/train.ts';
import { readCard } from './card.ts';
import { exportModel } from './export.ts';
import { createInt8Runner } from './reference-interpreter.ts';
import { bufferDataOffsets, readTflite } from './tflite-reader.ts';
import type { VectorIndex } from './vectors.ts';

const int8File = (p: string) => {
  const b = readFileSync(p);
  return new Int8Array(b.buffer, b.byteOffset, b.length);
};
let root: string;
let trainDir: string;
let outDir: string;
const machine = sampleMachine('export-test');
const clip = (seed: string, fault?: 'bearing' | 'electrical'): Clip => ({
  path: `${seed}.wav`,
  label: fault ? 'anomaly' : 'normal',
  fault,
  pcm: synthesizeClip({ machine, seed, durationS: 2, fault: fault ?? null, severity: 0.9 }),
});

beforeAll(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
  root = mkdtempSync(path.join(tmpdir(), 'sc-export-'));
  trainDir = path.join(root, 'trained');
  outDir = path.join(root, 'exported');
  const train = [0, 1, 2, 3, 4, 5].map((i) => ({ path: `t${i}`, pcm: synthesizeClip({ machine, seed: `t${i}`, durationS: 2 }) }));
  const trained = await trainEdgeModel(train, { hidden: [16, 8, 16], maxEpochs: 8, patience: 8, seed: 3 });
  await saveTrainedModel(trainDir, trained);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('exportModel', () => {
  const test = [clip('a'), clip('b'), clip('c'), clip('d', 'bearing'), clip('e', 'electrical'), clip('f', 'bearing')];

  it('writes every contract-D file, consistent with each other', async () => {
    const steps: string[] = [];
    const progress = { update: (_d: number, _t: number, note?: string) => steps.push(note ?? ''), log() {}, done() {} };
    const { card } = await exportModel(
      { modelDir: trainDir, outDir, name: 'test-model', testClips: test, dataLabel: 'synthetic' },
      progress,
    );
    expect(steps).toContain('quantising');
    expect(steps).toContain('writing the model card');
    const bytes = readFileSync(path.join(outDir, 'model.tflite'));
    expect(card.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(card.flashBytes).toBe(bytes.length);
    expect(card.macs).toBe(320 * 16 + 16 * 8 + 8 * 16 + 16 * 320);
    expect(card.ops).toEqual(['FULLY_CONNECTED']);
    expect(card.thresholds.borderlineLow).toBeLessThanOrEqual(card.thresholds.alert);
    expect(card.thresholds.borderlineHigh).toBe(card.thresholds.alert);
    expect(card.thresholds.learnMin).toBe(card.thresholds.alert);
    expect(card.thresholds.learnMax).toBeCloseTo(4 * card.thresholds.alert, 12);
    expect(card.validation.maxAbsDiff).toBeLessThanOrEqual(1);
    expect(card.metrics.float && card.metrics.int8).toBeTruthy();
    expect(Math.abs((card.metrics.int8?.auc ?? 0) - (card.metrics.float?.auc ?? 1))).toBeLessThanOrEqual(0.1);
    expect(card.metrics.scoreCorrelation).toBeGreaterThan(0.95);
    expect(await readCard(path.join(outDir, 'card.json'))).toEqual(card);
    for (const o of bufferDataOffsets(new Uint8Array(bytes))) expect(o % 16).toBe(0);

    const cc = readFileSync(path.join(outDir, 'model_data.cc'), 'utf8');
    expect(cc).toContain('alignas(16) const uint8_t g_signalcraft_model[]');
    expect(cc).toContain(`g_signalcraft_model_len = ${bytes.length}u`);
    expect(cc.match(/0x[0-9a-f]{2}/g)?.length).toBe(bytes.length);
    expect(readFileSync(path.join(outDir, 'model_data.h'), 'utf8')).toContain(card.sha256);

    // The vectors are what a runtime reading model.tflite must reproduce.
    const index = JSON.parse(readFileSync(path.join(outDir, 'vectors', 'index.json'), 'utf8')) as VectorIndex;
    const runner = createInt8Runner(readTflite(new Uint8Array(bytes)));
    expect(index.cases.length).toBeGreaterThanOrEqual(5);
    for (const c of index.cases) {
      const x = int8File(path.join(outDir, 'vectors', c.inputFile));
      const y = int8File(path.join(outDir, 'vectors', c.outputFile));
      expect(runner.invoke(x)).toEqual(y);
    }
    expect(index.input).toEqual({ scale: card.input.scale, zeroPoint: card.input.zeroPoint });
    const pcm = readFileSync(path.join(outDir, 'vectors', index.pipeline.pcmFile));
    expect(pcm.length).toBe(index.pipeline.samples * 2);
    expect(readFileSync(path.join(outDir, 'vectors', index.pipeline.inputsFile)).length).toBe(index.pipeline.inputs * 320);
    expect(index.pipeline.errors).toHaveLength(index.pipeline.inputs);
  });

  it('gives eval an edge-float and an edge-int8 scorer that agree, from the export or the training folder', async () => {
    for (const dir of [outDir, trainDir]) {
      const scorers = await loadEdgeScorers(dir);
      expect(scorers.map((s) => s.name)).toEqual(['edge-float', 'edge-int8']);
      const [f, q] = await Promise.all(scorers.map((s) => s.scoreClip(test[3])));
      expect(Math.abs(f - q) / f).toBeLessThan(0.05);
    }
    const detailed = (await loadEdgeScorers(outDir))[1].scoreClipDetailed(test[0]);
    expect(detailed.windows.length).toBeGreaterThan(0);
  });

  it('exports and scores a pooled model with a std frame (kind pooled-band-standardize)', async () => {
    const train = [0, 1, 2, 3, 4, 5].map((i) => ({
      path: `t${i}`,
      pcm: synthesizeClip({ machine, seed: `t${i}`, durationS: 2 }),
    }));
    const trained = await trainEdgeModel(train, { hidden: [8, 4, 8], maxEpochs: 3, seed: 3, poolFrames: 2, stdFrame: true });
    const dir = path.join(root, 'pooled-trained');
    const out = path.join(root, 'pooled-out');
    await saveTrainedModel(dir, trained);
    const { card } = await exportModel({ modelDir: dir, outDir: out });
    expect(card.preprocess).toMatchObject({ kind: 'pooled-band-standardize', poolFrames: 2, stdFrame: true });
    expect(card.preprocess.bandMean).toHaveLength(128);
    const index = JSON.parse(readFileSync(path.join(out, 'vectors', 'index.json'), 'utf8')) as VectorIndex;
    expect(index.pipeline.inputs).toBe(index.pipeline.frames - 8 + 1);
    const [f, q] = await loadEdgeScorers(out);
    expect(Math.abs((f.scoreClip(test[0]) as number) - (q.scoreClip(test[0]) as number))).toBeLessThan(0.1);
  });

  it('names the problem with a missing, corrupt or tampered model folder', async () => {
    await expect(loadEdgeScorers(path.join(root, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(loadEdgeScorers(root)).rejects.toThrow(/neither card.json .* nor train.json/);
    const bad = path.join(root, 'bad');
    await exportModel({ modelDir: trainDir, outDir: bad });
    const tfl = readFileSync(path.join(bad, 'model.tflite'));
    tfl[tfl.length - 40] ^= 0xff;
    writeFileSync(path.join(bad, 'model.tflite'), tfl);
    await expect(loadEdgeScorers(bad)).rejects.toThrow(/sha256 .* does not match the card/);
    const goodCard = JSON.parse(readFileSync(path.join(outDir, 'card.json'), 'utf8'));
    const other = path.join(root, 'other-rate');
    await exportModel({ modelDir: trainDir, outDir: other });
    writeFileSync(
      path.join(other, 'card.json'),
      JSON.stringify({
        ...goodCard,
        sha256: JSON.parse(readFileSync(path.join(other, 'card.json'), 'utf8')).sha256,
        frontend: { ...goodCard.frontend, sampleRate: 8000, fmax: 4000 },
      }),
    );
    await expect(loadEdgeScorers(other)).rejects.toThrow(/expects 8000 Hz audio but the front end delivers 16000 Hz/);
    writeFileSync(path.join(bad, 'card.json'), '{"schema": "signalcraft.card/1"');
    await expect(loadEdgeScorers(bad)).rejects.toThrow(/card.json: not valid JSON/);
    writeFileSync(path.join(bad, 'card.json'), '{"schema": "signalcraft.card/1"}');
    await expect(loadEdgeScorers(bad)).rejects.toThrow(/card.json: name/);
    await expect(exportModel({ modelDir: bad, outDir: path.join(root, 'x') })).rejects.toThrow(/train.json is missing/);
  });
});
