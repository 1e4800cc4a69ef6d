import { existsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { analyzeClip } from '../cloud/src/ensemble/features.ts';
import type { TrainedEnsemble } from '../cloud/src/ensemble/model.ts';
import { ENSEMBLE_FILE, loadEnsemble } from '../cloud/src/ensemble/scorer.ts';
import { trainEnsemble } from '../cloud/src/ensemble/train.ts';
import { type FaultId, renderClip, sampleMachine } from '../edge-model/src/synth/index.ts';
import { type BenchFigure, median } from './types.ts';

/**
 * Cloud re-scoring on one core (synchronous JS): the latency of `rescore` on a 2-second clip with
 * the committed default ensemble (target < 100 ms), the feature extraction alone, the model size,
 * and the time to train an ensemble on a small synthetic set (all four detectors with 4-fold
 * cross-fitting, plus the fault classifier).
 */

const MODEL_DIR = fileURLToPath(new URL('../models/ensemble/', import.meta.url));

function msRuns(runs: number, fn: () => void): number[] {
  fn(); // warm-up: JIT, FFT tables, filterbank
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

const machine = sampleMachine('bench-ensemble/m0', 'm0');
const clip = (seed: string, durationS: number, fault: FaultId | null = null) =>
  renderClip({ machine, seed, durationS, fault, severity: 0.8, snrDb: 20 }).pcm;

async function smallEnsemble(): Promise<{ ensemble: TrainedEnsemble; seconds: number; clips: number }> {
  const normal = Array.from({ length: 24 }, (_, i) => ({ pcm: clip(`n${i}`, 2) }));
  const faults = (['bearing', 'valve-leak', 'slugging'] as const).flatMap((f) =>
    Array.from({ length: 5 }, (_, i) => ({ pcm: clip(`${f}${i}`, 2, f), label: f })),
  );
  const t0 = process.hrtime.bigint();
  const ensemble = await trainEnsemble({ normal, faults, quick: true, seed: 1 });
  return { ensemble, seconds: Number(process.hrtime.bigint() - t0) / 1e9, clips: normal.length + faults.length };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const committed = existsSync(`${MODEL_DIR}${ENSEMBLE_FILE}`);
  const trained = await smallEnsemble();
  figures.push({
    id: 'ensemble.train_small_s',
    label: `train-ensemble --quick on ${trained.clips} synthetic 2-s clips (6 detectors × 5 fits + classifier)`,
    value: trained.seconds,
    unit: 's',
    runs: 1,
    detail: { timings: trained.ensemble.training.timings, loadavg: loadavg() },
  });
  if (committed && !quick) {
    const t = (await loadEnsemble(MODEL_DIR)).training as { timings?: { totalMs?: number }; normalClips?: number };
    if (t.timings?.totalMs) {
      figures.push({
        id: 'ensemble.train_default_s',
        label: `training of the committed default ensemble (${t.normalClips} normal 10-s clips), as recorded in it`,
        value: t.timings.totalMs / 1000,
        unit: 's',
        runs: 1,
        detail: { timings: t.timings },
      });
    }
  }

  const ensemble = committed ? await loadEnsemble(MODEL_DIR) : trained.ensemble;
  const pcm = clip('bench-rescore', 2, 'bearing');
  const runs = quick ? 5 : 60;
  const rescore = msRuns(runs, () => ensemble.rescore(pcm));
  figures.push({
    id: 'ensemble.rescore_2s_ms',
    label: `rescore a 2-s clip (${committed ? 'committed default ensemble' : 'small ensemble: models/ensemble missing'}), one core`,
    value: median(rescore),
    unit: 'ms',
    runs,
    detail: { runMs: rescore, version: ensemble.version, loadavg: loadavg() },
  });
  const feats = msRuns(runs, () => analyzeClip(pcm));
  figures.push({
    id: 'ensemble.features_2s_ms',
    label: '301 clip features + log-mel of a 2-s clip, one core',
    value: median(feats),
    unit: 'ms',
    runs,
  });
  if (committed) {
    figures.push({
      id: 'ensemble.model_mb',
      label: 'models/ensemble/ensemble.json size',
      value: statSync(`${MODEL_DIR}${ENSEMBLE_FILE}`).size / 1e6,
      unit: 'MB',
      runs: 1,
    });
  }
  return figures;
}
