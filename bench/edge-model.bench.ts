import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { exportModel, pearson } from '../edge-model/export/export.ts';
import type { Clip } from '../edge-model/src/eval/types.ts';
import { synthesizeClip } from '../edge-model/src/synth/clip.ts';
import { FAULT_IDS } from '../edge-model/src/synth/faults.ts';
import { sampleMachine } from '../edge-model/src/synth/machine.ts';
import { saveTrainedModel } from '../edge-model/train/model-dir.ts';
import { loadEdgeScorers } from '../edge-model/train/scorer.ts';
import { type TrainClip, trainEdgeModel } from '../edge-model/train/train.ts';
import { type BenchFigure, median } from './types.ts';

/**
 * Edge model: how long training the default model takes on this machine (the default dataset
 * size — 4 machines × 20 normal 10 s clips — and the technician's day-one case of 2 minutes of one
 * machine), how long the export takes, and export fidelity (int8 vs float clip-score correlation,
 * largest |Δ| between the real TFLite interpreter and our reference).
 */

function trainingClips(machines: number, perMachine: number): TrainClip[] {
  const out: TrainClip[] = [];
  for (let m = 0; m < machines; m++) {
    const machine = sampleMachine(`bench/m${m}`);
    for (let i = 0; i < perMachine; i++) out.push({ path: `m${m}-${i}`, pcm: synthesizeClip({ machine, seed: `train${i}` }) });
  }
  return out;
}

function testClips(machines: number): Clip[] {
  const out: Clip[] = [];
  for (let m = 0; m < machines; m++) {
    const machine = sampleMachine(`bench/m${m}`);
    for (let i = 0; i < 6; i++)
      out.push({ path: `n${m}-${i}`, label: 'normal', pcm: synthesizeClip({ machine, seed: `test${i}` }) });
    for (const fault of FAULT_IDS)
      out.push({
        path: `${fault}${m}`,
        label: 'anomaly',
        fault,
        pcm: synthesizeClip({ machine, seed: `test-${fault}`, fault, severity: 0.6 }),
      });
  }
  return out;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const runs = quick ? 1 : 3;
  const figures: BenchFigure[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'sc-bench-edge-'));
  try {
    // Quick mode is a smoke run (shape test): little audio and a few epochs.
    // The shipped default's preprocessing (models/default: --pool 8 --std-frame).
    const limits = { poolFrames: 8, stdFrame: true, ...(quick ? { maxEpochs: 3 } : {}) };
    const dayOne = trainingClips(1, quick ? 3 : 12);
    const dayOneTimes: number[] = [];
    for (let r = 0; r < runs; r++) dayOneTimes.push((await trainEdgeModel(dayOne, { seed: 1 + r, ...limits })).summary.seconds);
    figures.push({
      id: 'edge.train_2min_s',
      label: `train edge model on ${dayOne.length * 10} s of one machine (default settings, early stopping)`,
      value: median(dayOneTimes),
      unit: 's',
      runs,
      detail: { runSeconds: dayOneTimes, loadavg: loadavg() },
    });

    const full = quick ? trainingClips(2, 3) : trainingClips(4, 20);
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof trainEdgeModel>> | undefined;
    for (let r = 0; r < runs; r++) {
      last = await trainEdgeModel(full, { seed: 1, ...limits });
      times.push(last.summary.seconds);
    }
    if (!last) throw new Error('no training run');
    figures.push({
      id: 'edge.train_default_s',
      label: `train the default model (${full.length} normal 10 s clips, ${last.summary.trainInputs} inputs, ${last.summary.backend})`,
      value: median(times),
      unit: 's',
      runs,
      detail: { runSeconds: times, epochs: last.summary.epochs, bestEpoch: last.summary.bestEpoch, loadavg: loadavg() },
    });

    const trainDir = path.join(dir, 'trained');
    await saveTrainedModel(trainDir, last);
    const test = testClips(quick ? 1 : 4);
    const exportTimes: number[] = [];
    let card: Awaited<ReturnType<typeof exportModel>>['card'] | undefined;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      card = (await exportModel({ modelDir: trainDir, outDir: path.join(dir, `out${r}`), testClips: test })).card;
      exportTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    if (!card) throw new Error('no export run');
    figures.push({
      id: 'edge.export_s',
      label: `export (quantise, TFLite check, thresholds, score ${test.length} clips float+int8, write files)`,
      value: median(exportTimes),
      unit: 's',
      runs,
      detail: { runSeconds: exportTimes },
    });
    const [fl, q] = await loadEdgeScorers(path.join(dir, 'out0'));
    const fs = test.map((c) => fl.scoreClip(c) as number);
    const is = test.map((c) => q.scoreClip(c) as number);
    figures.push({
      id: 'edge.int8_float_score_correlation',
      label: 'int8 vs float clip-score correlation (Pearson)',
      value: pearson(fs, is),
      unit: 'r',
      runs: 1,
      detail: { clips: test.length, floatAuc: card.metrics.float?.auc, int8Auc: card.metrics.int8?.auc },
    });
    figures.push({
      id: 'edge.tflite_max_abs_diff',
      label: 'largest |TFLite − our reference| over every output element',
      value: card.validation.maxAbsDiff,
      unit: 'LSB',
      runs: 1,
      detail: {
        rows: card.validation.rows,
        exactFraction: card.validation.exactFraction,
        perOp: card.validation.perOpMaxAbsDiff,
      },
    });
    figures.push({
      id: 'edge.model_flash_bytes',
      label: 'model.tflite size (flash)',
      value: card.flashBytes,
      unit: 'B',
      runs: 1,
      detail: { weightBytes: card.weightBytes, arenaBytesEstimate: card.arenaBytes, macs: card.macs },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
