/**
 * `signalcraft train --data DIR --out MODEL_DIR`: trains the on-device model on the normal clips
 * of DIR (DIR/train/normal/… in the split layout, otherwise every normal clip under DIR — e.g. a
 * technician's own recordings in DIR/normal/). Anomalous clips are never used for training.
 */
import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../cli/errors.ts';
import { createProgress } from '../../cli/progress.ts';
import { DatasetError, listDataset, tryReadClip } from '../src/dataset/load.ts';
import { saveTrainedModel } from './model-dir.ts';
import { DEFAULT_POOL_FRAMES } from './preprocess.ts';
import { DEFAULT_SCORE_KIND, SCORE_KINDS, type ScoreKind } from './score.ts';
import { DEFAULT_HIDDEN, type TrainClip, TrainError, trainEdgeModel } from './train.ts';

export function hiddenFlag(raw: unknown): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = String(raw)
    .split(',')
    .map((s) => s.trim());
  const sizes = parts.map((p) => numberFlag('hidden', p, { min: 1, max: 512, integer: true }));
  if (sizes.length === 0) throw new CliError('--hidden needs at least one layer width, e.g. 32,8,32', 2);
  return sizes;
}

export function scoreKindFlag(raw: unknown): ScoreKind | undefined {
  if (raw === undefined) return undefined;
  const v = String(raw);
  if (!(SCORE_KINDS as readonly string[]).includes(v))
    throw new CliError(`--score must be one of ${SCORE_KINDS.join(', ')} (got ${JSON.stringify(v)})`, 2);
  return v as ScoreKind;
}

/** Normal training clips of a dataset folder, read as 16 kHz mono. */
export async function loadNormalTrainingClips(dir: string, log: (line: string) => void): Promise<TrainClip[]> {
  const entries = await listDataset(dir, { onSkip: (p, why) => log(`skipped ${p}: ${why}`) });
  const hasSplit = entries.some((e) => e.split === 'train');
  const normal = entries.filter((e) => e.label === 'normal' && (hasSplit ? e.split === 'train' : e.split !== 'test'));
  if (normal.length === 0) {
    throw new DatasetError(
      `no normal training clips under ${dir}; put normal recordings in ${hasSplit ? 'DIR/train/normal/' : 'DIR/normal/'}`,
    );
  }
  const progress = createProgress('reading clips');
  const clips: TrainClip[] = [];
  for (let i = 0; i < normal.length; i++) {
    const c = await tryReadClip(normal[i], { onSkip: (p, why) => log(`skipped ${p}: ${why}`) });
    if (c) clips.push({ path: c.path, pcm: c.pcm });
    progress.update(i + 1, normal.length);
  }
  if (clips.length === 0) throw new DatasetError(`none of the ${normal.length} normal clips under ${dir} could be read`);
  return clips;
}

export default defineCommand({
  meta: { name: 'train', description: 'train the compact on-device anomaly model on normal clips (unsupervised)' },
  args: {
    data: { type: 'string', description: 'dataset folder (DIR/train/normal/*.wav, or DIR/normal/*.wav)', required: true },
    out: { type: 'string', description: 'model folder to write (weights, preprocessing, held-out data)', required: true },
    seed: { type: 'string', description: 'random seed; the same seed and data give the same model (default 1)' },
    epochs: { type: 'string', description: 'maximum epochs (default 60; early stopping usually ends sooner)' },
    patience: { type: 'string', description: 'epochs without validation improvement before stopping (default 6)' },
    hidden: { type: 'string', description: `hidden layer widths (default ${DEFAULT_HIDDEN.join(',')})` },
    noise: { type: 'string', description: 'std of Gaussian noise on training inputs (denoising; default 0)' },
    'std-frame': { type: 'boolean', description: 'make the last model frame per-band standard deviations (see README)' },
    pool: { type: 'string', description: `log-mel frames averaged into one model frame (default ${DEFAULT_POOL_FRAMES})` },
    score: {
      type: 'string',
      description: `window score: ${SCORE_KINDS.join(' | ')} (default ${DEFAULT_SCORE_KIND}; see the README)`,
    },
    'batch-size': { type: 'string', description: 'batch size (default 128)' },
    lr: { type: 'string', description: 'Adam learning rate (default 0.003)' },
    'validation-fraction': { type: 'string', description: 'share of normal audio held out (default 0.2)' },
  },
  async run({ args }) {
    const data = resolve(String(args.data));
    const out = resolve(String(args.out));
    const opt = (name: string, raw: unknown, o: Parameters<typeof numberFlag>[2]) =>
      raw === undefined ? undefined : numberFlag(name, raw, o);
    const options = {
      seed: opt('seed', args.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
      maxEpochs: opt('epochs', args.epochs, { min: 1, max: 10000, integer: true }),
      patience: opt('patience', args.patience, { min: 1, max: 1000, integer: true }),
      batchSize: opt('batch-size', args['batch-size'], { min: 1, max: 65536, integer: true }),
      learningRate: opt('lr', args.lr, { min: 1e-6, max: 1 }),
      validationFraction: opt('validation-fraction', args['validation-fraction'], { min: 0.05, max: 0.5 }),
      hidden: hiddenFlag(args.hidden),
      poolFrames: opt('pool', args.pool, { min: 1, max: 64, integer: true }),
      stdFrame: Boolean(args['std-frame']),
      inputNoise: opt('noise', args.noise, { min: 0, max: 10 }),
      scoreKind: scoreKindFlag(args.score),
    };
    const log = (line: string) => process.stderr.write(`${line}\n`);
    try {
      const clips = await loadNormalTrainingClips(data, log);
      const trained = await trainEdgeModel(clips, options, createProgress('epoch'));
      await saveTrainedModel(out, trained, data);
      const s = trained.summary;
      process.stdout.write(
        `${out}: ${s.hidden.join('-')} autoencoder, best epoch ${s.bestEpoch}/${s.epochs}, validation loss ${s.validationLoss.toFixed(4)}, ${s.seconds.toFixed(1)} s on ${s.backend}\n` +
          `next: signalcraft export --model ${out} --out <folder>\n`,
      );
    } catch (err) {
      if (err instanceof DatasetError || err instanceof TrainError) throw new CliError(err.message);
      throw err;
    }
  },
});
