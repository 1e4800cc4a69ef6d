import { FRONTEND } from '../frontend/config.ts';
import { resample } from './resample.ts';
import { type DecodedWav, decodeWav, readWav } from './wav.ts';

/** Averages channels into one (equal weights: a stereo recorder's two mics count the same). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new RangeError('downmix: no channels');
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  const w = 1 / channels.length;
  for (const ch of channels) {
    if (ch.length !== n) throw new RangeError('downmix: channels differ in length');
    for (let i = 0; i < n; i++) out[i] += ch[i] * w;
  }
  return out;
}

/** Any decoded WAV as mono at the front end's rate: channels averaged, then anti-alias resampled. */
export function toMono16k(wav: DecodedWav): Float32Array {
  const mono = downmix(wav.pcm);
  return wav.sampleRate === FRONTEND.sampleRate ? mono : resample(mono, wav.sampleRate, FRONTEND.sampleRate);
}

/** WAV bytes held in memory (an upload, a clip from the database) as mono 16 kHz; `name` is for errors. */
export function decodeMono16k(bytes: Uint8Array, name: string): Float32Array {
  return toMono16k(decodeWav(bytes, name));
}

/**
 * Reads any supported WAV file as mono PCM at the front end's rate (16 kHz): channels are
 * averaged, then resampled with the anti-aliasing resampler. Throws `WavError` naming the file.
 */
export async function loadMono16k(path: string): Promise<Float32Array> {
  return toMono16k(await readWav(path));
}
