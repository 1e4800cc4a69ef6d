/**
 * PCM → log-mel → model inputs → reconstruction → scores, for the float network and for the int8
 * .tflite (through our reference interpreter, i.e. what TFLM on the device computes).
 */

import { type FloatModel, floatForward } from '../export/float-model.ts';
import { dequantizeTensor, quantizeTensor } from '../export/quantize.ts';
import { createInt8Runner } from '../export/reference-interpreter.ts';
import type { TfliteModel } from '../export/tflite-model.ts';
import type { FrontendConfig } from '../src/frontend/config.ts';
import { computeLogMel, type LogMel } from '../src/frontend/logmel.ts';
import { inputCount, levelNormalizedInput, type PreprocessSpec, standardize } from './preprocess.ts';
import { clipScore, type ScoreKind, WindowScorer } from './score.ts';

export interface Reconstructor {
  reconstruct(z: Float32Array): Float32Array;
}

export function floatReconstructor(model: FloatModel): Reconstructor {
  return { reconstruct: (z) => floatForward(model, z) };
}

export function int8Reconstructor(model: TfliteModel): Reconstructor {
  const runner = createInt8Runner(model);
  return { reconstruct: (z) => dequantizeTensor(runner.invoke(quantizeTensor(z, runner.input)), runner.output) };
}

export interface ScoringSpec {
  readonly frontend: FrontendConfig;
  readonly preprocess: PreprocessSpec;
  readonly windowFrames: number;
  readonly scoreKind: ScoreKind;
}

export interface ClipScores {
  /** e_t per model input. */
  errors: number[];
  windows: number[];
  /** The device's clip score: the mean of `windows`. */
  score: number;
  /**
   * The cloud's reading of the same residuals (its ensemble member): "window-mean-residual" with
   * one window spanning the whole clip, i.e. mean_i (mean over all the clip's inputs of r_t[i])².
   * A steady deviation is measured over seconds instead of the device's one-second windows.
   * NaN when the clip has no model input.
   */
  clipMeanResidual: number;
}

export function scoreLogMel(mel: LogMel, spec: ScoringSpec, recon: Reconstructor): ClipScores {
  const n = inputCount(mel.frames, spec.preprocess);
  const errors: number[] = [];
  const windows: number[] = [];
  const x = new Float32Array(spec.preprocess.contextFrames * mel.nMels);
  const scorer = new WindowScorer(spec.scoreKind, x.length, spec.windowFrames);
  // One window spanning every input: its score arrives with the last input.
  const whole = new WindowScorer('window-mean-residual', x.length, Math.max(1, n));
  let clipMeanResidual = Number.NaN;
  for (let t = 0; t < n; t++) {
    const z = standardize(levelNormalizedInput(mel, t, spec.preprocess, x), spec.preprocess);
    const y = recon.reconstruct(z);
    const w = scorer.push(z, y);
    clipMeanResidual = whole.push(z, y) ?? clipMeanResidual;
    errors.push(scorer.lastError);
    if (w !== null) windows.push(w);
  }
  // A clip shorter than one window is scored as one partial window.
  if (windows.length === 0 && n > 0) windows.push(scorer.flush() as number);
  return { errors, windows, score: clipScore(windows), clipMeanResidual };
}

export function scorePcm(pcm: Float32Array, spec: ScoringSpec, recon: Reconstructor): ClipScores {
  return scoreLogMel(computeLogMel(pcm, spec.frontend), spec, recon);
}
