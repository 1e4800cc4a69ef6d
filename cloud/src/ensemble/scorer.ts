/**
 * Contract G (cloud re-scoring) and contract B (eval): load a trained ensemble from a folder.
 *
 *   const ens = await loadEnsemble('models/ensemble');
 *   const verdict = ens.rescore(pcm16k);            // CloudVerdict
 *
 * The folder holds `ensemble.json` (everything: standardiser, detectors, calibration,
 * classifier) written by `signalcraft train-ensemble`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clip, Scorer } from '../../../edge-model/src/eval/types.ts';
import { EnsembleInputError, type EnsembleJson, TrainedEnsemble } from './model.ts';

export type { CloudVerdict, Ensemble } from './model.ts';
export { EnsembleInputError, MAX_CLIP_SECONDS } from './model.ts';

export const ENSEMBLE_FILE = 'ensemble.json';

export class EnsembleLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnsembleLoadError';
  }
}

const cache = new Map<string, Promise<TrainedEnsemble>>();

/** Loads `dir/ensemble.json` (cached per path; the file is immutable once written). */
export function loadEnsemble(dir: string): Promise<TrainedEnsemble> {
  const path = join(dir, ENSEMBLE_FILE);
  let p = cache.get(path);
  if (!p) {
    p = readEnsemble(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

async function readEnsemble(path: string): Promise<TrainedEnsemble> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EnsembleLoadError(
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err}); train one with "signalcraft train-ensemble --data DIR --out DIR"`,
    );
  }
  let json: EnsembleJson;
  try {
    json = JSON.parse(text) as EnsembleJson;
  } catch (err) {
    throw new EnsembleLoadError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return await TrainedEnsemble.fromJSON(json);
  } catch (err) {
    throw new EnsembleLoadError(`${path}: ${(err as Error).message}`);
  }
}

/** Writes the ensemble atomically (temp file + rename) so a reader never sees half a model. */
export async function saveEnsemble(ens: TrainedEnsemble, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, ENSEMBLE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(ens.toJSON())}\n`);
  await rename(tmp, path);
  cache.delete(path);
  return path;
}

/** Contract B: the ensemble as an eval scorer (name "ensemble"; higher = more anomalous). */
export async function loadEnsembleScorer(dir: string): Promise<Scorer> {
  const ens = await loadEnsemble(dir);
  return {
    name: 'ensemble',
    // Dataset clips may be longer than the device's 10 s clip limit.
    scoreClip: (clip: Clip) => ens.rescore(clip.pcm, { maxSeconds: 600 }).score,
  };
}

export function isEnsembleInputError(err: unknown): err is EnsembleInputError {
  return err instanceof EnsembleInputError;
}
