/**
 * `signalcraft export`: a trained model folder → every file of contract D in OUT_DIR:
 * model.tflite, model_data.cc/.h, card.json, vectors/, plus weights.json (the float network, so the
 * folder also serves `eval --model` with float and int8 side by side).
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../../cli/progress.ts';
import { silentProgress } from '../../cli/progress.ts';
import { partialAuc, rocAuc } from '../src/eval/metrics.ts';
import type { Clip } from '../src/eval/types.ts';
import { FRONTEND, type FrontendConfig } from '../src/frontend/config.ts';
import { loadTrainedModel, ModelDirError } from '../train/model-dir.ts';
import { floatReconstructor, int8Reconstructor, type ScoringSpec, scorePcm } from '../train/pipeline.ts';
import { inputSpan, type PreprocessSpec } from '../train/preprocess.ts';
import { SCORE_DEFINITIONS, type ScoreKind, windowScoresOf } from '../train/score.ts';
import { modelBudget } from './budget.ts';
import { modelCArray } from './c-array.ts';
import { CARD_SCHEMA, type ModelCard, parseCard } from './card.ts';
import { quantizeModel, quantizeTensor } from './quantize.ts';
import { createInt8Runner } from './reference-interpreter.ts';
import { writeTflite } from './tflite-writer.ts';
import { chooseThresholds, type ThresholdOptions } from './thresholds.ts';
import { validateAgainstTflite } from './validate.ts';
import { writeVectors } from './vectors.ts';

export function preprocessDefinition(p: { poolFrames: number; stdFrame?: boolean }): string {
  const frames = p.stdFrame ? '(contextFrames-1)' : 'contextFrames';
  return [
    `input t uses log-mel frames t .. t+${frames}*poolFrames-1 (poolFrames=${p.poolFrames});`,
    `model frame c (c < ${frames}) = mean in dB of log-mel frames t+c*poolFrames .. t+(c+1)*poolFrames-1, stacked frame-major (x[c*nMels+b]);`,
    `subtract the mean of those ${frames}*nMels values from each of them (level normalisation);`,
    p.stdFrame
      ? 'last model frame: x[(contextFrames-1)*nMels+b] = population std (dB) of band b over the same log-mel frames (not level-normalised);'
      : '',
    p.stdFrame
      ? 'z[i] = (x[i] - bandMean[j]) / bandStd[j] with j = b for mean frames and j = nMels + b for the std frame;'
      : 'z[c*nMels+b] = (x[c*nMels+b] - bandMean[b]) / bandStd[b];',
    'q = clamp(round(z / input.scale) + input.zeroPoint, -128, 127)',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Largest end-to-end |TFLite − reference| accepted (per op the limit is 1). */
export const MAX_END_TO_END_LSB = 2;

export interface ExportOptions {
  modelDir: string;
  outDir: string;
  name?: string;
  perChannel?: boolean;
  thresholds?: ThresholdOptions;
  /** Labelled clips (normal and anomalous) for the card's float/int8 AUC; none → metrics null. */
  testClips?: readonly Clip[];
  dataLabel?: string;
  /** Rows checked against the real TFLite interpreter. */
  validateRows?: number;
  /** PCM for the end-to-end vector (default: 2 s of the first held-out-like synthetic clip). */
  pipelinePcm?: Float32Array;
}

export interface ExportResult {
  card: ModelCard;
  files: string[];
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Overlapping windows (a quarter-window step) of each held-out clip: more points for the fit. */
function heldoutWindowScores(
  pairs: readonly (readonly [Float32Array, Float32Array])[],
  segments: number[],
  kind: ScoreKind,
  windowFrames: number,
): number[] {
  const out: number[] = [];
  let start = 0;
  const step = Math.max(1, Math.floor(windowFrames / 4));
  for (const len of segments) {
    const seg = pairs.slice(start, start + len);
    start += len;
    if (seg.length < windowFrames) {
      out.push(...windowScoresOf(seg, kind, windowFrames));
      continue;
    }
    for (let s = 0; s + windowFrames <= seg.length; s += step)
      out.push(...windowScoresOf(seg.slice(s, s + windowFrames), kind, windowFrames));
  }
  return out;
}

export async function exportModel(opts: ExportOptions, progress: Progress = silentProgress): Promise<ExportResult> {
  const steps = 7;
  let step = 0;
  const next = (what: string) => progress.update(++step, steps, what);
  const trained = await loadTrainedModel(opts.modelDir);
  if (trained.frontend.sampleRate !== FRONTEND.sampleRate) {
    throw new ModelDirError(
      `${opts.modelDir}: the model was trained at ${trained.frontend.sampleRate} Hz but the front end runs at ${FRONTEND.sampleRate} Hz`,
    );
  }
  const perChannel = opts.perChannel ?? true;
  next('quantising');
  const q = quantizeModel(trained.model, trained.representative, {
    perChannel,
    description: `signalcraft edge model ${opts.name ?? ''}`.trim(),
  });
  const bytes = writeTflite(q.tflite);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const runner = createInt8Runner(q.tflite);
  const budget = modelBudget(q.tflite, bytes.length);

  next('checking against the TFLite interpreter');
  const nVal = Math.min(opts.validateRows ?? 48, trained.heldout.inputs.length + trained.representative.length);
  const rows = [...trained.heldout.inputs, ...trained.representative]
    .filter((_, i, a) => i % Math.max(1, Math.floor(a.length / nVal)) === 0)
    .slice(0, nVal);
  const validation = await validateAgainstTflite(
    q.tflite,
    rows.map((r) => quantizeTensor(r, q.input)),
  );
  // Every op fed the same input must agree within ±1 LSB (XNNPACK rounds in float32 where TFLM uses
  // fixed point). Through the chain a 1-LSB difference in a hidden unit can move an output by one
  // more LSB, so end to end we allow 2 and record the measured figure in the card.
  if (validation.perOpMaxAbsDiff.some((d) => d > 1) || validation.maxAbsDiff > MAX_END_TO_END_LSB) {
    throw new Error(
      `the TFLite interpreter disagrees with our reference: per op ${validation.perOpMaxAbsDiff.join(', ')} LSB, end to end ${validation.maxAbsDiff} LSB; not exporting`,
    );
  }

  next('setting thresholds');
  const int8 = int8Reconstructor(q.tflite);
  const spec: ScoringSpec = {
    frontend: trained.frontend,
    preprocess: trained.preprocess,
    windowFrames: trained.windowFrames,
    scoreKind: trained.scoreKind,
  };
  const heldoutPairs = trained.heldout.inputs.map((z) => [z, int8.reconstruct(z)] as const);
  const thresholds = chooseThresholds(
    heldoutWindowScores(heldoutPairs, trained.heldout.segments, trained.scoreKind, trained.windowFrames),
    opts.thresholds,
  );

  next('scoring evaluation clips');
  let metrics: ModelCard['metrics'] = { float: null, int8: null, scoreCorrelation: null, data: opts.dataLabel ?? null, clips: 0 };
  const test = opts.testClips ?? [];
  if (test.some((c) => c.label === 'normal') && test.some((c) => c.label === 'anomaly')) {
    const fl = floatReconstructor(trained.model);
    const fs: number[] = [];
    const is: number[] = [];
    test.forEach((c, i) => {
      fs.push(scorePcm(c.pcm, spec, fl).score);
      is.push(scorePcm(c.pcm, spec, int8).score);
      progress.update(step, steps, `scoring evaluation clips ${i + 1}/${test.length}`);
    });
    const labels = test.map((c) => c.label);
    metrics = {
      float: { auc: rocAuc(fs, labels), pauc: partialAuc(fs, labels) },
      int8: { auc: rocAuc(is, labels), pauc: partialAuc(is, labels) },
      scoreCorrelation: pearson(fs, is),
      data: opts.dataLabel ?? null,
      clips: test.length,
    };
  }

  next('writing files');
  const out = opts.outDir;
  await mkdir(path.join(out, 'vectors'), { recursive: true });
  await writeFile(path.join(out, 'model.tflite'), bytes);
  const c = modelCArray(bytes, sha256);
  await writeFile(path.join(out, 'model_data.cc'), c.source);
  await writeFile(path.join(out, 'model_data.h'), c.header);
  if (path.resolve(opts.modelDir) !== path.resolve(out)) {
    await copyFile(path.join(opts.modelDir, 'weights.json'), path.join(out, 'weights.json'));
  }

  next('writing test vectors');
  const pipelinePcm = opts.pipelinePcm ?? defaultPipelinePcm(test, pipelineSamples(trained));
  await writeVectors(path.join(out, 'vectors'), {
    runner,
    frontend: trained.frontend,
    preprocess: trained.preprocess,
    windowFrames: trained.windowFrames,
    scoreKind: trained.scoreKind,
    normalInputs: trained.heldout.inputs,
    pipelinePcm,
  });

  next('writing the model card');
  const card = parseCard({
    schema: CARD_SCHEMA,
    name: opts.name ?? path.basename(path.resolve(out)),
    createdAt: new Date().toISOString(),
    frontend: { ...trained.frontend },
    input: { shape: runner.inputShape, dtype: 'int8', scale: q.input.scale, zeroPoint: q.input.zeroPoint },
    output: { shape: runner.outputShape, dtype: 'int8', scale: q.output.scale, zeroPoint: q.output.zeroPoint },
    preprocess: { ...trained.preprocess, definition: preprocessDefinition(trained.preprocess) },
    score: {
      kind: trained.scoreKind,
      definition: SCORE_DEFINITIONS[trained.scoreKind],
      windowFrames: trained.windowFrames,
      inputHopFrames: 1,
      aggregation: 'mean',
      clipAggregation: 'mean-of-windows',
    },
    thresholds,
    ops: ['FULLY_CONNECTED'],
    architecture: {
      layers: trained.model.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, activation: l.activation })),
      weightQuantization: perChannel ? 'per-channel' : 'per-tensor',
    },
    ...budget,
    sha256,
    metrics,
    validation: { runtime: 'tfjs-tflite 0.0.1-alpha.10 (TFLite WASM, XNNPACK)', ...validation },
    training: { ...trained.summary },
    files: {
      tflite: 'model.tflite',
      cSource: 'model_data.cc',
      cHeader: 'model_data.h',
      vectors: 'vectors/index.json',
      weights: 'weights.json',
    },
  });
  await writeFile(path.join(out, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  progress.done(
    `flash ${budget.flashBytes} B (weights ${budget.weightBytes} B), arena ≈ ${budget.arenaBytes} B, ${budget.macs} MACs/inference, sha256 ${sha256.slice(0, 12)}…`,
  );
  return {
    card,
    files: ['model.tflite', 'model_data.cc', 'model_data.h', 'card.json', 'weights.json', 'vectors/index.json'].map((f) =>
      path.join(out, f),
    ),
  };
}

/**
 * Samples for the end-to-end case: at least 2 s, and enough for two whole score windows so the
 * firmware's parity test compares whole windows (the device never scores a partial one).
 */
function pipelineSamples(trained: { preprocess: PreprocessSpec; windowFrames: number; frontend: FrontendConfig }): number {
  const frames = inputSpan(trained.preprocess) + 2 * trained.windowFrames - 1;
  return Math.max(2 * trained.frontend.sampleRate, trained.frontend.frameLength + (frames - 1) * trained.frontend.hop);
}

/** n samples of a normal test clip, or of a deterministic synthetic compressor when there is none. */
function defaultPipelinePcm(test: readonly Clip[], n: number): Float32Array {
  const normal = test.find((c) => c.label === 'normal' && c.pcm.length >= n);
  if (normal) return normal.pcm.slice(0, n);
  // A deterministic chirp plus harmonics: enough spectral structure to exercise every band.
  const pcm = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    const t = i / FRONTEND.sampleRate;
    let v = 0.02 * (s / 2147483647 - 0.5);
    for (let h = 1; h <= 12; h++) v += (0.2 / h) * Math.sin(2 * Math.PI * 29.5 * h * t + h);
    v += 0.05 * Math.sin(2 * Math.PI * (200 + 1800 * t) * t);
    pcm[i] = v * 0.5;
  }
  return pcm;
}
