/**
 * Trains the on-device anomaly model: a small dense autoencoder over stacked, level-normalised,
 * standardised log-mel frames (preprocess.ts), on normal clips only (the DCASE protocol), with
 * TensorFlow.js. Deterministic for a seed: seeded initialisers, our own seeded shuffling, and the
 * single-threaded WASM backend. Early stopping on a held-out split restores the best epoch.
 */
import type { Progress } from '../../cli/progress.ts';
import { silentProgress } from '../../cli/progress.ts';
import type { DenseLayer, FloatModel } from '../export/float-model.ts';
import { FRONTEND, type FrontendConfig } from '../src/frontend/config.ts';
import { computeLogMel, type LogMel } from '../src/frontend/logmel.ts';
import { mulberry32 } from '../src/synth/prng.ts';
import { DEFAULT_POOL_FRAMES, fitPreprocess, inputSpan, modelInputs, type PreprocessSpec } from './preprocess.ts';
import { DEFAULT_SCORE_KIND, DEFAULT_WINDOW_FRAMES, type ScoreKind } from './score.ts';
import { loadTf } from './tfjs-setup.ts';

export interface TrainClip {
  readonly path: string;
  readonly pcm: Float32Array;
}

export interface TrainOptions {
  /** Hidden layer widths of the autoencoder (input and output are contextFrames·nMels). */
  hidden?: number[];
  maxEpochs?: number;
  /** Epochs without validation improvement before stopping. */
  patience?: number;
  batchSize?: number;
  learningRate?: number;
  /** Share of the normal audio held out for validation, early stopping and thresholds. */
  validationFraction?: number;
  seed?: number;
  windowFrames?: number;
  /** How window scores are computed from the residuals (score.ts); training itself is the same. */
  scoreKind?: ScoreKind;
  /** Caps the training rows (inputs are taken with a stride when there are more). */
  maxTrainInputs?: number;
  /** Log-mel frames averaged into one model frame (see preprocess.ts). */
  poolFrames?: number;
  /** Replace the last model frame with per-band standard deviations (see preprocess.ts). */
  stdFrame?: boolean;
  /** Std of Gaussian noise added to training inputs (denoising autoencoder); 0 = none. */
  inputNoise?: number;
  frontend?: FrontendConfig;
}

export const DEFAULT_HIDDEN = [32, 8, 32];

export interface TrainSummary {
  clips: number;
  trainClips: number;
  validationClips: number;
  /** How the validation split was made: whole clips, or the tail of every clip (few clips). */
  split: 'by-clip' | 'by-time';
  audioSeconds: number;
  trainInputs: number;
  validationInputs: number;
  epochs: number;
  bestEpoch: number;
  trainLoss: number;
  validationLoss: number;
  seconds: number;
  backend: string;
  seed: number;
  hidden: number[];
  batchSize: number;
  learningRate: number;
}

export interface TrainedEdgeModel {
  model: FloatModel;
  frontend: FrontendConfig;
  preprocess: PreprocessSpec;
  windowFrames: number;
  scoreKind: ScoreKind;
  summary: TrainSummary;
  /** A sample of training inputs for quantisation calibration. */
  representative: Float32Array[];
  /** Held-out normal inputs, clip by clip in time order (for thresholds). */
  heldout: { inputs: Float32Array[]; segments: number[] };
}

export class TrainError extends Error {
  override name = 'TrainError';
}

/** Mulberry32: small, seedable, good enough for shuffling. */
export const seededRandom = mulberry32;

function shuffled<T>(items: readonly T[], rnd: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function sliceFrames(mel: LogMel, from: number, to: number): LogMel {
  return { frames: to - from, nMels: mel.nMels, data: mel.data.subarray(from * mel.nMels, to * mel.nMels) };
}

/** Few clips: hold out the tail of each; many: hold out whole clips (closer to new recordings). */
function splitAudio(mels: LogMel[], fraction: number, contextFrames: number, rnd: () => number) {
  if (mels.length >= 5) {
    const order = shuffled(
      mels.map((_, i) => i),
      rnd,
    );
    const nVal = Math.max(1, Math.round(mels.length * fraction));
    const val = new Set(order.slice(0, nVal));
    return {
      split: 'by-clip' as const,
      train: mels.filter((_, i) => !val.has(i)),
      validation: mels.filter((_, i) => val.has(i)),
      validationClips: nVal,
    };
  }
  const train: LogMel[] = [];
  const validation: LogMel[] = [];
  for (const mel of mels) {
    const cut = Math.round(mel.frames * (1 - fraction));
    if (cut >= contextFrames && mel.frames - cut >= contextFrames) {
      train.push(sliceFrames(mel, 0, cut));
      validation.push(sliceFrames(mel, cut, mel.frames));
    } else {
      train.push(mel);
    }
  }
  return { split: 'by-time' as const, train, validation, validationClips: validation.length };
}

function toFloatModel(kernels: Float32Array[], biases: Float32Array[], sizes: number[]): FloatModel {
  const layers: DenseLayer[] = kernels.map((k, l) => {
    const inputs = sizes[l];
    const outputs = sizes[l + 1];
    const weights = new Float32Array(inputs * outputs);
    // tfjs Dense kernels are [in, out]; FULLY_CONNECTED wants [out, in].
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) weights[o * inputs + i] = k[i * outputs + o];
    return { inputs, outputs, weights, bias: biases[l], activation: l === kernels.length - 1 ? 'NONE' : 'RELU' };
  });
  return { layers };
}

export async function trainEdgeModel(
  clips: readonly TrainClip[],
  opts: TrainOptions = {},
  progress: Progress = silentProgress,
): Promise<TrainedEdgeModel> {
  const started = Date.now();
  const frontend = opts.frontend ?? FRONTEND;
  const hidden = opts.hidden ?? DEFAULT_HIDDEN;
  const maxEpochs = opts.maxEpochs ?? 60;
  const patience = opts.patience ?? 6;
  const batchSize = opts.batchSize ?? 128;
  const learningRate = opts.learningRate ?? 3e-3;
  const fraction = opts.validationFraction ?? 0.2;
  const seed = opts.seed ?? 1;
  const windowFrames = opts.windowFrames ?? DEFAULT_WINDOW_FRAMES;
  const maxTrainInputs = opts.maxTrainInputs ?? 40000;
  if (clips.length === 0) throw new TrainError('no normal clips to train on');
  if (!(fraction > 0 && fraction < 1)) throw new TrainError(`validationFraction must be in (0, 1) (got ${fraction})`);
  const rnd = seededRandom(seed);

  const mels = clips.map((c) => computeLogMel(c.pcm, frontend));
  const audioSeconds = clips.reduce((s, c) => s + c.pcm.length / frontend.sampleRate, 0);
  const poolFrames = opts.poolFrames ?? DEFAULT_POOL_FRAMES;
  const stdFrame = opts.stdFrame ?? false;
  const inputNoise = opts.inputNoise ?? 0;
  const span = inputSpan({ contextFrames: frontend.contextFrames, poolFrames, stdFrame });
  const minFrames = span * 2;
  const usable = mels.filter((m) => m.frames >= span);
  if (usable.reduce((n, m) => n + m.frames, 0) < minFrames * 4) {
    throw new TrainError(
      `only ${audioSeconds.toFixed(1)} s of normal audio: record at least a few seconds (two minutes recommended)`,
    );
  }
  const { split, train, validation, validationClips } = splitAudio(usable, fraction, span, rnd);
  if (validation.length === 0) throw new TrainError('the normal audio is too short to hold out a validation part');
  const preprocess = fitPreprocess(train, frontend, poolFrames, stdFrame);

  const allTrain = train.flatMap((m) => modelInputs(m, preprocess));
  const stride = Math.max(1, Math.ceil(allTrain.length / maxTrainInputs));
  const trainRows = stride > 1 ? allTrain.filter((_, i) => i % stride === 0) : allTrain;
  const segments: number[] = [];
  const heldoutInputs: Float32Array[] = [];
  for (const m of validation) {
    const rows = modelInputs(m, preprocess);
    segments.push(rows.length);
    heldoutInputs.push(...rows);
  }
  const dim = frontend.contextFrames * frontend.nMels;
  const sizes = [dim, ...hidden, dim];
  progress.log(
    `training ${sizes.join('→')} autoencoder on ${trainRows.length} inputs (${audioSeconds.toFixed(0)} s of normal audio, ${clips.length} clips), validating on ${heldoutInputs.length} (${split})`,
  );

  const { tf, backend } = await loadTf((l) => progress.log(l));
  const pack = (rows: Float32Array[]) => {
    const flat = new Float32Array(rows.length * dim);
    for (let i = 0; i < rows.length; i++) flat.set(rows[i], i * dim);
    return tf.tensor2d(flat, [rows.length, dim]);
  };
  const xTrain = pack(trainRows);
  const xVal = pack(heldoutInputs);
  const model = tf.sequential();
  sizes.slice(1).forEach((units, k) => {
    model.add(
      tf.layers.dense({
        units,
        inputShape: k === 0 ? [dim] : undefined,
        activation: k === sizes.length - 2 ? 'linear' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 101 + k }),
        biasInitializer: 'zeros',
      }),
    );
  });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });

  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: import('@tensorflow/tfjs').Tensor[] = [];
  let lastTrainLoss = Number.NaN;
  let epoch = 0;
  const indices = Array.from({ length: trainRows.length }, (_, i) => i);
  for (epoch = 1; epoch <= maxEpochs; epoch++) {
    const order = tf.tensor1d(shuffled(indices, rnd), 'int32');
    const xs = tf.gather(xTrain, order);
    // Seeded per epoch so a run stays reproducible.
    const noisy = inputNoise > 0 ? tf.add(xs, tf.randomNormal(xs.shape, 0, inputNoise, 'float32', seed * 1000 + epoch)) : xs;
    const h = await model.fit(noisy, xs, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    order.dispose();
    if (noisy !== xs) noisy.dispose();
    xs.dispose();
    lastTrainLoss = Number(h.history.loss[0]);
    const valT = model.evaluate(xVal, xVal, { batchSize: 1024 }) as import('@tensorflow/tfjs').Scalar;
    const val = (await valT.data())[0];
    valT.dispose();
    if (!Number.isFinite(lastTrainLoss)) throw new TrainError(`training diverged at epoch ${epoch} (loss ${lastTrainLoss})`);
    if (val < best - 1e-5) {
      best = val;
      bestEpoch = epoch;
      for (const w of bestWeights) w.dispose();
      bestWeights = model.getWeights().map((w) => w.clone());
    }
    progress.update(
      epoch,
      maxEpochs,
      `loss ${lastTrainLoss.toFixed(4)} val ${val.toFixed(4)} (best ${best.toFixed(4)} @${bestEpoch})`,
    );
    if (epoch - bestEpoch >= patience) {
      epoch++;
      break;
    }
  }
  const epochs = epoch - 1;
  const values = await Promise.all(bestWeights.map((w) => w.data() as Promise<Float32Array>));
  const floatModel = toFloatModel(
    values.filter((_, i) => i % 2 === 0).map((v) => Float32Array.from(v)),
    values.filter((_, i) => i % 2 === 1).map((v) => Float32Array.from(v)),
    sizes,
  );
  for (const w of bestWeights) w.dispose();
  xTrain.dispose();
  xVal.dispose();
  model.dispose();

  const repRnd = seededRandom(seed + 7);
  const representative = shuffled(trainRows, repRnd).slice(0, 1000);
  return {
    model: floatModel,
    frontend,
    preprocess,
    windowFrames,
    scoreKind: opts.scoreKind ?? DEFAULT_SCORE_KIND,
    representative,
    heldout: { inputs: heldoutInputs, segments },
    summary: {
      clips: clips.length,
      trainClips: split === 'by-clip' ? train.length : clips.length,
      validationClips,
      split,
      audioSeconds,
      trainInputs: trainRows.length,
      validationInputs: heldoutInputs.length,
      epochs,
      bestEpoch,
      trainLoss: lastTrainLoss,
      validationLoss: best,
      seconds: (Date.now() - started) / 1000,
      backend,
      seed,
      hidden,
      batchSize,
      learningRate,
    },
  };
}
