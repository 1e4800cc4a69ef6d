/**
 * The anomaly score, defined once (and written into the card):
 *   input error   e_t = mean_i (z_t[i] − ŷ_t[i])²   for every model input t (one per hop),
 *                 z = the standardised input (float), ŷ = the model output (dequantised for int8);
 *   window score  s = mean of e_t over `windowFrames` consecutive inputs (≈ 1 s);
 *   clip score    = mean of the window scores of the clip's non-overlapping whole windows
 *                   (a clip shorter than one window is one partial window).
 * The device reports window scores; thresholds are set on window scores.
 * Why a mean over ~1 s: single inputs (≈190 ms) are noisy; a second averages over 15–60 machine
 * revolutions while keeping short faults (a knock every few seconds) from being diluted much.
 */

export const DEFAULT_WINDOW_FRAMES = 32;

export const SCORE_DEFINITION =
  'e_t = mean_i (z_t[i] - yhat_t[i])^2 per model input (z = preprocessed input, yhat = dequantised output); ' +
  'window score = mean of e_t over windowFrames consecutive inputs; clip score = mean of the window scores of ' +
  'non-overlapping whole windows (one partial window if the clip is shorter).';

export function inputError(z: Float32Array, yhat: Float32Array): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const d = z[i] - yhat[i];
    s += d * d;
  }
  return s / z.length;
}

export function windowScores(errors: ArrayLike<number>, windowFrames: number): number[] {
  const out: number[] = [];
  if (errors.length === 0) return out;
  if (errors.length < windowFrames) {
    let s = 0;
    for (let i = 0; i < errors.length; i++) s += errors[i];
    return [s / errors.length];
  }
  for (let start = 0; start + windowFrames <= errors.length; start += windowFrames) {
    let s = 0;
    for (let i = start; i < start + windowFrames; i++) s += errors[i];
    out.push(s / windowFrames);
  }
  return out;
}

export function clipScore(windows: readonly number[]): number {
  if (windows.length === 0) return Number.NaN;
  return windows.reduce((a, b) => a + b, 0) / windows.length;
}
