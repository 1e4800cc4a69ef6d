import { loadavg } from 'node:os';
import FFT from 'fft.js';
import { resample } from '../edge-model/src/audio/resample.ts';
import { FRONTEND } from '../edge-model/src/frontend/config.ts';
import { computeLogMel, LogMelStream } from '../edge-model/src/frontend/logmel.ts';
import { type BenchFigure, median } from './types.ts';

/**
 * Front-end speed on one core (everything here is synchronous, single-threaded JS): log-mel
 * throughput in multiples of real time (batch and streamed in device-sized chunks), the 1024-point
 * real FFT alone, and the 44.1 kHz -> 16 kHz resampler.
 */

/** Deterministic test audio: a compressor-like mix (hum + harmonics + noise), so no branch is trivially cheap. */
function audio(seconds: number, rate: number): Float32Array {
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const t = i / rate;
    x[i] = 0.3 * Math.sin(2 * Math.PI * 100 * t) + 0.1 * Math.sin(2 * Math.PI * 1450 * t) + 0.05 * (s / 2 ** 32 - 0.5);
  }
  return x;
}

function timeRuns(runs: number, fn: () => void): number[] {
  fn(); // warm-up: JIT and the cached filterbank/FFT tables
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return out;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  // Each run is tens of ms, so many runs are cheap and steady the median on a shared machine.
  const runs = quick ? 3 : 15;
  const seconds = quick ? 10 : 60;
  const pcm = audio(seconds, FRONTEND.sampleRate);
  const figures: BenchFigure[] = [];

  const batch = timeRuns(runs, () => computeLogMel(pcm));
  figures.push({
    id: 'frontend.realtime_factor',
    label: `log-mel front end, ${seconds} s of audio, one core`,
    value: seconds / median(batch),
    unit: 'x realtime',
    runs,
    detail: { secondsOfAudio: seconds, runSeconds: batch, frames: computeLogMel(pcm).frames, loadavg: loadavg() },
  });

  // The device feeds I2S reads of 512 samples (one hop); the stream must not cost much more.
  const streamed = timeRuns(runs, () => {
    const s = new LogMelStream();
    for (let at = 0; at < pcm.length; at += 512) s.push(pcm.subarray(at, at + 512));
  });
  figures.push({
    id: 'frontend.stream_realtime_factor',
    label: 'log-mel streamed in 512-sample chunks, one core',
    value: seconds / median(streamed),
    unit: 'x realtime',
    runs,
    detail: { runSeconds: streamed },
  });

  const frames = computeLogMel(pcm).frames;
  figures.push({
    id: 'frontend.frame_us',
    label: 'log-mel per frame (window + 1024 FFT + 64 mel + log)',
    value: (median(batch) / frames) * 1e6,
    unit: 'µs',
    runs,
  });

  const fft = new FFT(FRONTEND.fftSize);
  const spec = fft.createComplexArray();
  const frame = new Float64Array(FRONTEND.fftSize).map((_, i) => pcm[i]);
  const nFft = quick ? 2000 : 20000;
  const fftRuns = timeRuns(runs, () => {
    for (let i = 0; i < nFft; i++) fft.realTransform(spec, frame);
  });
  figures.push({
    id: 'frontend.fft_us',
    label: 'fft.js 1024-point real FFT',
    value: (median(fftRuns) / nFft) * 1e6,
    unit: 'µs',
    runs,
  });

  const rs = quick ? 5 : 20;
  const src = audio(rs, 44100);
  const resampleRuns = timeRuns(runs, () => resample(src, 44100, 16000));
  figures.push({
    id: 'frontend.resample_44k1_realtime_factor',
    label: 'resampler 44.1 -> 16 kHz (Kaiser sinc, 90 dB), one core',
    value: rs / median(resampleRuns),
    unit: 'x realtime',
    runs,
    detail: { secondsOfAudio: rs, runSeconds: resampleRuns },
  });
  return figures;
}
