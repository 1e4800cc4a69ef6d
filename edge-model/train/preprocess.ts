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

export interface PreprocessSpec {
  /** Kept as "band-standardize" for readers that only know the per-band step. */
  readonly kind: 'band-standardize';
  readonly levelNormalization: 'input-mean';
  readonly contextFrames: number;
  /** Log-mel frames averaged into one model frame (1 = no pooling). */
  readonly poolFrames: number;
  readonly nMels: number;
  readonly bandMean: readonly number[];
  readonly bandStd: readonly number[];
}

/** bandStd never drops below this (dB), so a band that never moved cannot blow up the input. */
export const MIN_BAND_STD = 0.5;

export const DEFAULT_POOL_FRAMES = 1;

export function inputCount(frames: number, contextFrames: number, poolFrames = 1): number {
  return Math.max(0, frames - contextFrames * poolFrames + 1);
}

/** Log-mel frames one model input spans. */
export function inputSpan(spec: Pick<PreprocessSpec, 'contextFrames' | 'poolFrames'>): number {
  return spec.contextFrames * spec.poolFrames;
}

/** The pooled, stacked input starting at log-mel frame `start` minus its own mean (steps 1 and 2). */
export function levelNormalizedInput(
  mel: LogMel,
  start: number,
  spec: Pick<PreprocessSpec, 'contextFrames' | 'poolFrames'>,
  out?: Float32Array,
): Float32Array {
  const { contextFrames, poolFrames } = spec;
  const nMels = mel.nMels;
  const d = contextFrames * nMels;
  const x = out ?? new Float32Array(d);
  let sum = 0;
  for (let c = 0; c < contextFrames; c++) {
    for (let b = 0; b < nMels; b++) {
      let acc = 0;
      for (let k = 0; k < poolFrames; k++) acc += mel.data[(start + c * poolFrames + k) * nMels + b];
      const v = acc / poolFrames;
      x[c * nMels + b] = v;
      sum += v;
    }
  }
  const mean = sum / d;
  for (let i = 0; i < d; i++) x[i] -= mean;
  return x;
}

/** Step 3 in place. */
export function standardize(x: Float32Array, spec: PreprocessSpec): Float32Array {
  const { nMels, bandMean, bandStd } = spec;
  for (let i = 0; i < x.length; i++) {
    const b = i % nMels;
    x[i] = (x[i] - bandMean[b]) / bandStd[b];
  }
  return x;
}

/** Every model input of a clip, one per hop: steps 1–3. */
export function modelInputs(mel: LogMel, spec: PreprocessSpec, stride = 1): Float32Array[] {
  const n = inputCount(mel.frames, spec.contextFrames, spec.poolFrames);
  const out: Float32Array[] = [];
  for (let t = 0; t < n; t += stride) out.push(standardize(levelNormalizedInput(mel, t, spec), spec));
  return out;
}

/** Per-band mean and std of level-normalised inputs over all training clips. */
export function fitPreprocess(
  mels: readonly LogMel[],
  frontend: FrontendConfig,
  poolFrames = DEFAULT_POOL_FRAMES,
): PreprocessSpec {
  const { nMels, contextFrames } = frontend;
  const shape = { contextFrames, poolFrames };
  const sum = new Float64Array(nMels);
  const sumSq = new Float64Array(nMels);
  let count = 0;
  const x = new Float32Array(nMels * contextFrames);
  for (const mel of mels) {
    const n = inputCount(mel.frames, contextFrames, poolFrames);
    for (let t = 0; t < n; t++) {
      levelNormalizedInput(mel, t, shape, x);
      for (let i = 0; i < x.length; i++) {
        sum[i % nMels] += x[i];
        sumSq[i % nMels] += x[i] * x[i];
      }
      count += contextFrames;
    }
  }
  if (count === 0) throw new Error(`no clip is long enough for one model input (${contextFrames * poolFrames} frames)`);
  const bandMean = Array.from(sum, (s) => Math.fround(s / count));
  const bandStd = Array.from(sumSq, (s, b) =>
    Math.fround(Math.max(MIN_BAND_STD, Math.sqrt(Math.max(0, s / count - (sum[b] / count) ** 2)))),
  );
  return { kind: 'band-standardize', levelNormalization: 'input-mean', contextFrames, poolFrames, nMels, bandMean, bandStd };
}
