/**
 * Test vectors that let any TFLite runtime (the firmware's TFLM build, its host runner) be checked
 * against our reference. Layout of `vectors/` (all binaries little-endian, no headers):
 *   index.json                 described by VectorIndex below
 *   caseN.input.bin            int8 [D]: one model input
 *   caseN.output.bin           int8 [D]: what our reference interpreter outputs for it (±1 allowed)
 *   pipeline.pcm16.bin         int16 mono PCM at the card's sample rate (x/32768 gives [-1, 1))
 *   pipeline.inputs.bin        int8 [inputs × D]: every quantised model input of that PCM
 *   (errors/window scores of the int8 path are listed in index.json)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrontendConfig } from '../src/frontend/config.ts';
import { computeLogMel } from '../src/frontend/logmel.ts';
import { type Reconstructor, scoreLogMel } from '../train/pipeline.ts';
import { inputCount, type PreprocessSpec } from '../train/preprocess.ts';
import type { ScoreKind } from '../train/score.ts';
import { dequantizeTensor, type QuantParams, quantizeTensor } from './quantize.ts';
import type { Int8Runner } from './reference-interpreter.ts';

export interface VectorCase {
  name: string;
  inputFile: string;
  outputFile: string;
  /** Where the input came from. */
  source: string;
}

export interface VectorIndex {
  dtype: 'int8';
  inputShape: number[];
  outputShape: number[];
  /** Allowed |Δ| per output element, in LSB. */
  tolerance: number;
  input: QuantParams;
  output: QuantParams;
  cases: VectorCase[];
  pipeline: {
    pcmFile: string;
    sampleRate: number;
    samples: number;
    frames: number;
    inputs: number;
    inputsFile: string;
    windowFrames: number;
    /** The card's score.kind the window scores follow. */
    scoreKind: ScoreKind;
    /** e_t of the int8 path (z from float preprocessing, ŷ dequantised from our reference). */
    errors: number[];
    windowScores: number[];
    score: number;
    tolerance: { inputLsb: number; scoreRelative: number };
  };
}

export interface VectorSources {
  runner: Int8Runner;
  frontend: FrontendConfig;
  preprocess: PreprocessSpec;
  windowFrames: number;
  scoreKind: ScoreKind;
  /** Real preprocessed inputs (held-out normal audio). */
  normalInputs: readonly Float32Array[];
  /** PCM in [-1, 1] for the end-to-end case (a couple of seconds is plenty). */
  pipelinePcm: Float32Array;
  seed?: number;
}

export async function writeVectors(dir: string, src: VectorSources): Promise<VectorIndex> {
  const { runner } = src;
  const d = runner.inputShape.reduce((a, b) => a * b, 1);
  const inputs: { name: string; source: string; x: Int8Array }[] = [];
  inputs.push({
    name: 'case0',
    source: 'all zero-point (z = 0: the average normal frame)',
    x: new Int8Array(d).fill(runner.input.zeroPoint),
  });
  const picks = [0, Math.floor(src.normalInputs.length / 2), src.normalInputs.length - 1].filter(
    (i, k, a) => i >= 0 && a.indexOf(i) === k,
  );
  for (const i of picks) {
    inputs.push({
      name: `case${inputs.length}`,
      source: `held-out normal input ${i}`,
      x: quantizeTensor(src.normalInputs[i], runner.input),
    });
  }
  let s = (src.seed ?? 1) >>> 0 || 1;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s;
  };
  inputs.push({
    name: `case${inputs.length}`,
    source: 'uniform random int8',
    x: Int8Array.from({ length: d }, () => (rnd() % 256) - 128),
  });
  inputs.push({
    name: `case${inputs.length}`,
    source: 'alternating -128/127 (saturation)',
    x: Int8Array.from({ length: d }, (_, i) => (i % 2 ? 127 : -128)),
  });

  const cases: VectorCase[] = [];
  for (const c of inputs) {
    const y = runner.invoke(c.x);
    const inputFile = `${c.name}.input.bin`;
    const outputFile = `${c.name}.output.bin`;
    await writeFile(path.join(dir, inputFile), new Uint8Array(c.x.buffer));
    await writeFile(path.join(dir, outputFile), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
    cases.push({ name: c.name, inputFile, outputFile, source: c.source });
  }

  // End to end: int16 PCM → log-mel → preprocessing → int8 inputs → model → errors → scores.
  const pcm16 = Int16Array.from(src.pipelinePcm, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  const pipeline = pipelineCase(pcm16, src);
  await writeFile(path.join(dir, 'pipeline.pcm16.bin'), new Uint8Array(pcm16.buffer));
  await writeFile(path.join(dir, 'pipeline.inputs.bin'), new Uint8Array(pipeline.inputs.buffer));
  const index: VectorIndex = {
    dtype: 'int8',
    inputShape: runner.inputShape,
    outputShape: runner.outputShape,
    tolerance: 1,
    input: runner.input,
    output: runner.output,
    cases,
    pipeline: pipeline.index,
  };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

/**
 * The end-to-end case: int16 PCM → log-mel → preprocessing → int8 inputs → our reference model →
 * errors → window scores, as the device computes it. Also used for the firmware's fixture model.
 */
export function pipelineCase(
  pcm16: Int16Array,
  m: Pick<VectorSources, 'runner' | 'frontend' | 'preprocess' | 'windowFrames' | 'scoreKind'>,
): { inputs: Int8Array; index: VectorIndex['pipeline'] } {
  const { runner, frontend, preprocess, windowFrames, scoreKind } = m;
  const d = frontend.nMels * frontend.contextFrames;
  const mel = computeLogMel(
    Float32Array.from(pcm16, (v) => v / 32768),
    frontend,
  );
  const n = inputCount(mel.frames, preprocess);
  const inputs = new Int8Array(n * d);
  // The int8 path of the pipeline, keeping every quantised input for the firmware to compare.
  let t = 0;
  const recording: Reconstructor = {
    reconstruct: (z) => {
      const q = quantizeTensor(z, runner.input);
      inputs.set(q, t++ * d);
      return dequantizeTensor(runner.invoke(q), runner.output);
    },
  };
  const { errors, windows, score } = scoreLogMel(mel, { frontend, preprocess, windowFrames, scoreKind }, recording);
  return {
    inputs,
    index: {
      pcmFile: 'pipeline.pcm16.bin',
      sampleRate: frontend.sampleRate,
      samples: pcm16.length,
      frames: mel.frames,
      inputs: n,
      inputsFile: 'pipeline.inputs.bin',
      windowFrames,
      scoreKind,
      errors,
      windowScores: windows,
      score,
      tolerance: { inputLsb: 1, scoreRelative: 0.02 },
    },
  };
}
