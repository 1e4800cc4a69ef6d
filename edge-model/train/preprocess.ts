/**
 * What happens between the log-mel front end and the model input — defined once here and written
 * into the model card, so the firmware (C++), the cloud and this code compute the same thing:
 *
 *  1. Pool: each model frame is the mean (in dB) of `poolFrames` consecutive log-mel frames, which
 *     averages away most of the frame-to-frame noise of a compressor's broadband sound while
 *     keeping its slower structure. Stack `contextFrames` consecutive pooled frames (input t uses
 *     log-mel frames t … t + contextFrames·poolFrames − 1) frame-major into one vector x of
 *     D = contextFrames·nMels values; a new input every hop once enough frames exist.
 *  2. Level normalisation ("input-mean"): subtract the mean of all D values of x. A microphone
 *     gain change of g dB adds g to every log-mel value, so this removes gain and site level
 *     exactly; the model then judges spectral shape and short-time dynamics, not loudness.
 *  3. Per-band standardisation: z[f·nMels + b] = (x' − bandMean[b]) / bandStd[b], with the
 *     statistics of the (level-normalised) training frames of the machine's own normal sound.
 *
 * The standardised z is quantised with the model's input scale/zero point; the score compares z
 * with the dequantised model output (see score.ts).
 */
import type { FrontendConfig } from '../src/frontend/config.ts';
import type { LogMel } from '../src/frontend/logmel.ts';

export type PreprocessKind = 'band-standardize' | 'pooled-band-standardize';

export function preprocessKind(poolFrames: number, stdFrame: boolean): PreprocessKind {
  return poolFrames > 1 || stdFrame ? 'pooled-band-standardize' : 'band-standardize';
}

export interface PreprocessSpec {
  /**
   * "band-standardize": one log-mel frame per model frame (poolFrames 1, no std frame), what every
   * reader knows. "pooled-band-standardize": poolFrames > 1 and/or a std frame; a distinct kind so a
   * reader that does not implement pooling fails loudly instead of computing different inputs.
   */
  readonly kind: PreprocessKind;
  readonly levelNormalization: 'input-mean';
  readonly contextFrames: number;
  /** Log-mel frames averaged into one model frame (1 = no pooling). */
  readonly poolFrames: number;
  /**
   * When true the last of the contextFrames model frames is not a pooled mean but each band's
   * standard deviation (dB) over the log-mel frames the other model frames cover: how much the
   * band fluctuates (beats, knocks, rattles), which pooling alone would average away.
   */
  readonly stdFrame?: boolean;
  readonly nMels: number;
  readonly bandMean: readonly number[];
  readonly bandStd: readonly number[];
}

/** bandStd never drops below this (dB), so a band that never moved cannot blow up the input. */
export const MIN_BAND_STD = 0.5;

export const DEFAULT_POOL_FRAMES = 1;

export function inputCount(frames: number, spec: Pick<PreprocessSpec, 'contextFrames' | 'poolFrames' | 'stdFrame'>): number {
  return Math.max(0, frames - inputSpan(spec) + 1);
}

/** Log-mel frames one model input spans. */
export function inputSpan(spec: Pick<PreprocessSpec, 'contextFrames' | 'poolFrames' | 'stdFrame'>): number {
  return (spec.stdFrame ? spec.contextFrames - 1 : spec.contextFrames) * spec.poolFrames;
}

/** The pooled, stacked input starting at log-mel frame `start` minus its own mean (steps 1 and 2). */
export function levelNormalizedInput(
  mel: LogMel,
  start: number,
  spec: Pick<PreprocessSpec, 'contextFrames' | 'poolFrames' | 'stdFrame'>,
  out?: Float32Array,
): Float32Array {
  const { contextFrames, poolFrames } = spec;
  const meanFrames = spec.stdFrame ? contextFrames - 1 : contextFrames;
  const nMels = mel.nMels;
  const d = contextFrames * nMels;
  const x = out ?? new Float32Array(d);
  let sum = 0;
  for (let c = 0; c < meanFrames; c++) {
    for (let b = 0; b < nMels; b++) {
      let acc = 0;
      for (let k = 0; k < poolFrames; k++) acc += mel.data[(start + c * poolFrames + k) * nMels + b];
      const v = acc / poolFrames;
      x[c * nMels + b] = v;
      sum += v;
    }
  }
  const mean = sum / (meanFrames * nMels);
  for (let i = 0; i < meanFrames * nMels; i++) x[i] -= mean;
  if (spec.stdFrame) {
    // Level-free already: a gain change shifts every frame of a band equally.
    const span = meanFrames * poolFrames;
    const base = meanFrames * nMels;
    for (let b = 0; b < nMels; b++) {
      let s1 = 0;
      let s2 = 0;
      for (let f = 0; f < span; f++) {
        const v = mel.data[(start + f) * nMels + b];
        s1 += v;
        s2 += v * v;
      }
      const m = s1 / span;
      x[base + b] = Math.sqrt(Math.max(0, s2 / span - m * m));
    }
  }
  return x;
}

/** Step 3 in place (with a std frame, its bands use their own statistics: bandMean[nMels + b]). */
export function standardize(x: Float32Array, spec: PreprocessSpec): Float32Array {
  const { nMels, bandMean, bandStd } = spec;
  const stdFrom = spec.stdFrame ? (spec.contextFrames - 1) * nMels : x.length;
  for (let i = 0; i < x.length; i++) {
    const j = i >= stdFrom ? nMels + (i % nMels) : i % nMels;
    x[i] = (x[i] - bandMean[j]) / bandStd[j];
  }
  return x;
}

/** Every model input of a clip, one per hop: steps 1–3. */
export function modelInputs(mel: LogMel, spec: PreprocessSpec, stride = 1): Float32Array[] {
  const n = inputCount(mel.frames, spec);
  const out: Float32Array[] = [];
  for (let t = 0; t < n; t += stride) out.push(standardize(levelNormalizedInput(mel, t, spec), spec));
  return out;
}

/** Per-band mean and std of level-normalised inputs over all training clips. */
export function fitPreprocess(
  mels: readonly LogMel[],
  frontend: FrontendConfig,
  poolFrames = DEFAULT_POOL_FRAMES,
  stdFrame = false,
): PreprocessSpec {
  const { nMels, contextFrames } = frontend;
  const shape = { contextFrames, poolFrames, stdFrame };
  const slots = stdFrame ? 2 * nMels : nMels;
  const sum = new Float64Array(slots);
  const sumSq = new Float64Array(slots);
  const counts = new Float64Array(slots);
  let count = 0;
  const x = new Float32Array(nMels * contextFrames);
  for (const mel of mels) {
    const n = inputCount(mel.frames, shape);
    for (let t = 0; t < n; t++) {
      levelNormalizedInput(mel, t, shape, x);
      for (let i = 0; i < x.length; i++) {
        const j = stdFrame && i >= (contextFrames - 1) * nMels ? nMels + (i % nMels) : i % nMels;
        sum[j] += x[i];
        sumSq[j] += x[i] * x[i];
        counts[j]++;
      }
      count += 1;
    }
  }
  if (count === 0) throw new Error(`no clip is long enough for one model input (${inputSpan(shape)} frames)`);
  const bandMean = Array.from(sum, (s, j) => Math.fround(s / counts[j]));
  const bandStd = Array.from(sumSq, (s, j) =>
    Math.fround(Math.max(MIN_BAND_STD, Math.sqrt(Math.max(0, s / counts[j] - (sum[j] / counts[j]) ** 2)))),
  );
  return {
    kind: preprocessKind(poolFrames, stdFrame),
    levelNormalization: 'input-mean',
    contextFrames,
    poolFrames,
    ...(stdFrame ? { stdFrame } : {}),
    nMels,
    bandMean,
    bandStd,
  };
}
