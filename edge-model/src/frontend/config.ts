/**
 * The audio front end's parameters: the single source of truth.
 *
 * Training, export (the model card), the cloud, the simulator and the firmware's generated header
 * all read these values from here (the firmware via card.json). Change them here and nowhere else.
 *
 * Why these values (ESP32 cost and compressor acoustics):
 * - 16 kHz: valve and bearing energy reaches ~8 kHz; I2S MEMS mics run natively at 16 kHz.
 * - FFT 1024 / frame 1024 (64 ms, Hann): 15.6 Hz bins resolve 20–60 Hz rotation fundamentals and
 *   separate 100 Hz from 120 Hz mains hum. A 1024-point real FFT costs well under 1 ms on an ESP32
 *   at 240 MHz (esp-dsp), i.e. a few percent of one core at one FFT per hop.
 * - hop 512 (32 ms, 50 % overlap): ~31 frames per second, enough to catch valve impacts and
 *   knocks without wasting CPU.
 * - 64 HTK-mel bands, 20–8000 Hz, triangles with unit peak: the lowest band spacing (~27 Hz) is
 *   wider than one FFT bin, so no band is empty, yet the low bands stay narrow around the
 *   rotation harmonics and hum.
 * - log power in dB with a floor of -100 dB (power 1e-10) so silence is finite.
 * - 5 context frames (~190 ms) form one model input (DCASE-style stacking).
 */
export interface FrontendConfig {
  /** Samples per second of the PCM the front end consumes (audio is resampled to this). */
  readonly sampleRate: number;
  /** Samples per analysis frame (the window length). */
  readonly frameLength: number;
  /** Samples between the starts of consecutive frames. */
  readonly hop: number;
  /** FFT size (>= frameLength, power of two); frames are zero-padded up to it. */
  readonly fftSize: number;
  /** Analysis window; "hann" is the periodic Hann window w[n] = 0.5 - 0.5 cos(2πn/N). */
  readonly window: 'hann';
  /** Number of mel bands. */
  readonly nMels: number;
  /** Lowest filter edge in Hz. */
  readonly fmin: number;
  /** Highest filter edge in Hz (<= sampleRate / 2). */
  readonly fmax: number;
  /** Mel scale formula: HTK, mel = 2595 log10(1 + f / 700). */
  readonly melScale: 'htk';
  /** Power floor before the log; features are 10 log10(max(power, logFloor)). */
  readonly logFloor: number;
  /** Consecutive frames stacked into one model input vector. */
  readonly contextFrames: number;
}

export const FRONTEND: FrontendConfig = Object.freeze({
  sampleRate: 16000,
  frameLength: 1024,
  hop: 512,
  fftSize: 1024,
  window: 'hann',
  nMels: 64,
  fmin: 20,
  fmax: 8000,
  melScale: 'htk',
  logFloor: 1e-10,
  contextFrames: 5,
});
