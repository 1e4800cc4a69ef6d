/**
 * Adds an end-to-end "pipeline" case (int16 PCM → int8 inputs → errors → window scores) to the
 * firmware's fixture model (host/tests/fixtures/tiny), computed by the TypeScript reference
 * (edge-model front end, train/preprocess.ts, train/score.ts, the int8 reference interpreter).
 * The fixture is the firmware's `band-standardize` card (poolFrames 1), so this keeps that kind
 * checked end to end against TypeScript now that models/default is a pooled model; the
 * device_model tests run it through the C++ pipeline like every committed export.
 *
 *   npx tsx firmware/esp32-tflm/tools/fixture-pipeline.ts [fixtureDir]   (after make-fixture.mjs)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInt8Runner } from '../../../edge-model/export/reference-interpreter.ts';
import { readTflite } from '../../../edge-model/export/tflite-reader.ts';
import { pipelineCase } from '../../../edge-model/export/vectors.ts';
import type { FrontendConfig } from '../../../edge-model/src/frontend/config.ts';
import type { PreprocessSpec } from '../../../edge-model/train/preprocess.ts';
import type { ScoreKind } from '../../../edge-model/train/score.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../host/tests/fixtures/tiny', import.meta.url));

export interface FixturePipeline {
  pcm16: Int16Array;
  inputs: Int8Array;
  /** The `pipeline` object of vectors/index.json (same fields as the export's). */
  index: Record<string, unknown>;
}

/** 2.5 s of a deterministic compressor-like signal: harmonics of 29.5 Hz, a chirp and noise. */
function pipelinePcm(sampleRate: number): Int16Array {
  const n = Math.round(2.5 * sampleRate);
  const pcm = new Int16Array(n);
  let s = 4242;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    const t = i / sampleRate;
    let v = 0.03 * (s / 2147483647 - 0.5);
    for (let h = 1; h <= 10; h++) v += (0.15 / h) * Math.sin(2 * Math.PI * 29.5 * h * t + h);
    v += 0.04 * Math.sin(2 * Math.PI * (300 + 1500 * t) * t);
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(v * 0.5 * 32768)));
  }
  return pcm;
}

export function computeFixturePipeline(dir = FIXTURE_DIR): FixturePipeline {
  const card = JSON.parse(readFileSync(path.join(dir, 'card.json'), 'utf8'));
  const frontend = card.frontend as FrontendConfig;
  const spec: PreprocessSpec = { poolFrames: 1, ...card.preprocess };
  const runner = createInt8Runner(readTflite(new Uint8Array(readFileSync(path.join(dir, 'model.tflite')))));
  const pcm16 = pipelinePcm(frontend.sampleRate);
  // Cards written before score kinds (this fixture) score windows by input MSE.
  const scoreKind: ScoreKind = card.score.kind ?? 'input-mse';
  const { inputs, index } = pipelineCase(pcm16, {
    runner,
    frontend,
    preprocess: spec,
    windowFrames: card.score.windowFrames,
    scoreKind,
  });
  return {
    pcm16,
    inputs,
    index: { ...index, source: 'firmware/esp32-tflm/tools/fixture-pipeline.ts (TypeScript reference path)' },
  };
}

export function writeFixturePipeline(dir = FIXTURE_DIR): FixturePipeline {
  const p = computeFixturePipeline(dir);
  const vectors = path.join(dir, 'vectors');
  writeFileSync(path.join(vectors, 'pipeline.pcm16.bin'), new Uint8Array(p.pcm16.buffer));
  writeFileSync(path.join(vectors, 'pipeline.inputs.bin'), new Uint8Array(p.inputs.buffer));
  const indexPath = path.join(vectors, 'index.json');
  const index = JSON.parse(readFileSync(indexPath, 'utf8'));
  writeFileSync(indexPath, `${JSON.stringify({ ...index, pipeline: p.index }, null, 2)}\n`);
  return p;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] ?? FIXTURE_DIR);
  const p = writeFixturePipeline(dir);
  console.log(`${dir}/vectors: pipeline case with ${p.index.frames} frames, ${p.index.inputs} inputs, ${(p.index.windowScores as number[]).length} windows`);
}
