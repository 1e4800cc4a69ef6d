import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FRONTEND } from '../frontend/config.ts';
import { computeLogMel, melFilterbank } from '../frontend/logmel.ts';
import { loadMono16k } from './load.ts';
import { encodeWav } from './wav.ts';

const dir = mkdtempSync(join(tmpdir(), 'sc-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IN_BAND = [
  [300, 0.3],
  [1000, 0.2],
  [2500, 0.15],
] as const;
/** Above 8 kHz: without anti-aliasing they would fold to 5 kHz and 3.5 kHz at 16 kHz. */
const ALIASING = [
  [11000, 0.3],
  [19500, 0.3],
] as const;

function mix(rate: number, seconds: number, tones: readonly (readonly [number, number])[]): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) for (const [hz, a] of tones) x[i] += a * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** Where a tone lands after sampling at 16 kHz without anti-aliasing. */
function folded(hz: number): number {
  const f = hz % 16000;
  return f > 8000 ? 16000 - f : f;
}

/** The band with the largest weight at a frequency. */
function bandAt(hz: number): number {
  const k = Math.round((hz * FRONTEND.fftSize) / FRONTEND.sampleRate);
  const bank = melFilterbank();
  let best = 0;
  for (let m = 1; m < bank.length; m++) if (bank[m][k] > bank[best][k]) best = m;
  return best;
}

describe('a 48 kHz stereo recording and its 16 kHz original give the same features', () => {
  it('matches in the active bands and shows no aliases of content above 8 kHz', async () => {
    const seconds = 0.5;
    const native = mix(16000, seconds, IN_BAND);
    // Channels differ so the downmix matters: left = (x + hi)/2, right = 1.5x, mono = x + hi/4.
    const left = mix(48000, seconds, [...IN_BAND, ...ALIASING]).map((v) => v * 0.5);
    const right = mix(48000, seconds, IN_BAND).map((v) => v * 1.5);
    const path = join(dir, 'rec48k.wav');
    writeFileSync(path, encodeWav({ sampleRate: 48000, channels: [left, right], format: 'float32' }));

    const pcm = await loadMono16k(path);
    expect(pcm.length).toBe(native.length);
    const a = computeLogMel(native);
    const b = computeLogMel(pcm);
    expect(b.frames).toBe(a.frames);
    const alias = ALIASING.map(([hz]) => bandAt(folded(hz)));
    // What an alias would measure without the filter: the folded tone at its mono amplitude.
    const unfiltered = computeLogMel(
      mix(
        16000,
        seconds,
        ALIASING.map(([hz, amp]) => [folded(hz), amp / 4] as const),
      ),
    );
    let maxActive = 0;
    // Skip the first and last frames: the resampler treats the signal as zero outside the clip.
    for (let f = 1; f < a.frames - 1; f++) {
      for (let m = 0; m < a.nMels; m++) {
        const x = a.data[f * a.nMels + m];
        const y = b.data[f * a.nMels + m];
        if (x > -20) maxActive = Math.max(maxActive, Math.abs(x - y));
      }
      for (const m of alias) expect(b.data[f * a.nMels + m]).toBeLessThan(unfiltered.data[f * a.nMels + m] - 60);
    }
    expect(maxActive).toBeLessThan(0.05);
  });
});
