/**
 * The ensemble side by side with the edge model on one dataset's test split: loads the edge
 * model's int8 scorer (what the device computes) and its card's borderline band, then
 * `evaluateEnsembleExtras`. Used by `train-ensemble --edge-model DIR` and the README figures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Progress, silentProgress } from '../../../cli/progress.ts';
import { listSplit, readClip } from '../../../edge-model/src/dataset/load.ts';
import type { Clip } from '../../../edge-model/src/eval/types.ts';
import { type EnsembleExtras, evaluateEnsembleExtras } from './extras.ts';
import type { TrainedEnsemble } from './model.ts';

interface EdgeScorerLike {
  readonly name: string;
  scoreClip(clip: Clip): number | Promise<number>;
  scoreClipDetailed?(clip: Pick<Clip, 'pcm'>): { windows: number[]; score: number };
}

export async function compareWithEdge(opts: {
  ensemble: TrainedEnsemble;
  dataDir: string;
  modelDir: string;
  progress?: Progress;
}): Promise<EnsembleExtras> {
  const progress = opts.progress ?? silentProgress;
  const card = JSON.parse(await readFile(join(opts.modelDir, 'card.json'), 'utf8')) as {
    thresholds?: { borderlineLow?: number; borderlineHigh?: number; alert?: number };
  };
  const low = card.thresholds?.borderlineLow;
  const high = card.thresholds?.borderlineHigh ?? card.thresholds?.alert;
  if (typeof low !== 'number' || typeof high !== 'number')
    throw new Error(`${opts.modelDir}/card.json has no thresholds.borderlineLow/borderlineHigh`);
  const mod = (await import('../../../edge-model/train/scorer.ts')) as {
    loadEdgeScorers(dir: string): Promise<EdgeScorerLike[]>;
  };
  const scorers = await mod.loadEdgeScorers(opts.modelDir);
  const edge = scorers.find((s) => s.name === 'edge-int8') ?? scorers[0];
  const { test } = await listSplit(opts.dataDir);
  const clips: Clip[] = [];
  const edgeScores: number[] = [];
  const windows: number[][] = [];
  for (let i = 0; i < test.length; i++) {
    const clip = await readClip(test[i]);
    clips.push(clip);
    if (edge.scoreClipDetailed) {
      const d = edge.scoreClipDetailed(clip);
      edgeScores.push(d.score);
      windows.push(d.windows);
    } else {
      edgeScores.push(await edge.scoreClip(clip));
    }
    progress.update(i + 1, test.length, `${edge.name} scoring`);
  }
  return evaluateEnsembleExtras(opts.ensemble, clips, {
    scores: edgeScores,
    borderlineLow: low,
    borderlineHigh: high,
    name: edge.name,
    windows: windows.length === clips.length ? windows : undefined,
  });
}

// `npx tsx cloud/src/ensemble/compare.ts --data DIR --ensemble DIR --edge-model DIR`: the README's
// side-by-side figures without retraining.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : undefined;
    if (!v) {
      process.stderr.write(`compare: --${name} DIR is required (usage: --data DIR --ensemble DIR --edge-model DIR)\n`);
      process.exit(2);
    }
    return v;
  };
  const { loadEnsemble } = await import('./scorer.ts');
  const result = await compareWithEdge({
    ensemble: await loadEnsemble(arg('ensemble')),
    dataDir: arg('data'),
    modelDir: arg('edge-model'),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
