import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FRONTEND } from '../frontend/config.ts';
import { decodeMono16k, downmix, loadMono16k } from './load.ts';
import { decodeWav, type EncodeWavOptions, encodeWav, readWav, WavError } from './wav.ts';

const dir = mkdtempSync(join(tmpdir(), 'sc-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic test signal that uses the full range, including both extremes. */
function signal(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  x[0] = -1;
  x[1] = 0.999;
  return x;
}

/** Reference quantiser: what each integer format can represent. */
function quantised(x: Float32Array, bits: number): Float32Array {
  const scale = 2 ** (bits - 1);
  return x.map((v) => Math.max(-scale, Math.min(scale - 1, Math.round(v * scale))) / scale + 0);
}

/** Finds a chunk's byte offset in an encoded file. */
function chunkAt(bytes: Uint8Array, id: string): number {
  for (let i = 12; i + 4 <= bytes.length; i++) {
    if (String.fromCharCode(...bytes.subarray(i, i + 4)) === id) return i;
  }
  throw new Error(`no ${id} chunk`);
}

function expectWavError(bytes: Uint8Array, name: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    decodeWav(bytes, name);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(WavError);
  expect((caught as WavError).message).toContain(name);
  expect((caught as WavError).message).toMatch(pattern);
}

describe('WAV round trips', () => {
  const cases: { format: EncodeWavOptions['format']; bits: number; extensible?: boolean; channels: number }[] = [
    { format: 'pcm8', bits: 8, channels: 1 },
    { format: 'pcm16', bits: 16, channels: 2 },
    { format: 'pcm24', bits: 24, channels: 1 },
    { format: 'pcm32', bits: 32, channels: 2 },
    { format: 'float32', bits: 32, channels: 1 },
    { format: 'pcm16', bits: 16, channels: 1, extensible: true },
    { format: 'pcm24', bits: 24, channels: 6 },
    { format: 'float32', bits: 32, channels: 3, extensible: true },
  ];
  for (const c of cases) {
    it(`${c.format} x${c.channels}${c.extensible ? ' (extensible)' : ''} round-trips exactly`, () => {
      const channels = Array.from({ length: c.channels }, (_, i) => signal(301, 7 + i));
      const bytes = encodeWav({ sampleRate: 22050, channels, format: c.format, extensible: c.extensible });
      const wav = decodeWav(bytes, 'rt.wav');
      expect(wav.sampleRate).toBe(22050);
      expect(wav.channels).toBe(c.channels);
      expect(wav.format).toBe(c.format);
      expect(wav.pcm).toHaveLength(c.channels);
      for (let ch = 0; ch < c.channels; ch++) {
        const want = c.format === 'float32' ? channels[ch] : quantised(channels[ch], c.bits);
        expect(Array.from(wav.pcm[ch])).toEqual(Array.from(want));
      }
      // An odd data size (pcm8 mono, 301 bytes) must be padded to keep the RIFF even.
      expect(bytes.length % 2).toBe(0);
    });
  }

  it('writes WAVE_FORMAT_EXTENSIBLE for more than two channels and plain PCM otherwise', () => {
    const one = [new Float32Array(4)];
    const fmtCode = (b: Uint8Array) => new DataView(b.buffer).getUint16(chunkAt(b, 'fmt ') + 8, true);
    expect(fmtCode(encodeWav({ sampleRate: 16000, channels: one, format: 'pcm16' }))).toBe(1);
    expect(fmtCode(encodeWav({ sampleRate: 16000, channels: one, format: 'float32' }))).toBe(3);
    expect(fmtCode(encodeWav({ sampleRate: 16000, channels: [one[0], one[0], one[0]], format: 'pcm16' }))).toBe(0xfffe);
  });

  it('clips out-of-range samples instead of wrapping and rejects non-finite ones', () => {
    const bytes = encodeWav({ sampleRate: 16000, channels: [Float32Array.of(1.5, -2, 1)], format: 'pcm16' });
    expect(Array.from(decodeWav(bytes, 'clip.wav').pcm[0])).toEqual([32767 / 32768, -1, 32767 / 32768]);
    expect(() => encodeWav({ sampleRate: 16000, channels: [Float32Array.of(Number.NaN)], format: 'pcm16' })).toThrow(
      /sample 0 of channel 0 is NaN/,
    );
    expect(() => encodeWav({ sampleRate: 16000, channels: [], format: 'pcm16' })).toThrow(/channels/);
    expect(() => encodeWav({ sampleRate: 0, channels: [new Float32Array(1)], format: 'pcm16' })).toThrow(/sample rate/);
    expect(() => encodeWav({ sampleRate: 16000, channels: [new Float32Array(1), new Float32Array(2)], format: 'pcm16' })).toThrow(
      /same length/,
    );
  });
});

describe('WAV tolerance', () => {
  const base = () => encodeWav({ sampleRate: 16000, channels: [signal(100, 3)], format: 'pcm16' });

  /** Inserts a chunk right after the RIFF/WAVE header. */
  function withChunk(bytes: Uint8Array, id: string, body: Uint8Array, pad: boolean): Uint8Array {
    const extra = 8 + body.length + (pad && body.length % 2 ? 1 : 0);
    const out = new Uint8Array(bytes.length + extra);
    out.set(bytes.subarray(0, 12));
    const v = new DataView(out.buffer);
    for (let i = 0; i < 4; i++) out[12 + i] = id.charCodeAt(i);
    v.setUint32(16, body.length, true);
    out.set(body, 20);
    out.set(bytes.subarray(12), 12 + extra);
    v.setUint32(4, out.length - 8, true);
    return out;
  }

  it('skips unknown chunks (LIST) with and without the pad byte after an odd size', () => {
    const want = Array.from(decodeWav(base(), 'a.wav').pcm[0]);
    const list = new TextEncoder().encode('INFOISFT\x05\x00\x00\x00sox!!');
    expect(list.length % 2).toBe(1);
    for (const pad of [true, false]) {
      const wav = decodeWav(withChunk(base(), 'LIST', list, pad), 'list.wav');
      expect(Array.from(wav.pcm[0])).toEqual(want);
    }
  });

  it('accepts a wrong RIFF size, a 0xFFFFFFFF streaming data size and a truncated trailing chunk', () => {
    const want = Array.from(decodeWav(base(), 'a.wav').pcm[0]);
    const riff = base();
    new DataView(riff.buffer).setUint32(4, 12345678, true);
    expect(Array.from(decodeWav(riff, 'riff.wav').pcm[0])).toEqual(want);

    const streaming = base();
    new DataView(streaming.buffer).setUint32(chunkAt(streaming, 'data') + 4, 0xffffffff, true);
    expect(Array.from(decodeWav(streaming, 'stream.wav').pcm[0])).toEqual(want);

    const b = base();
    const trailing = new Uint8Array(b.length + 10);
    trailing.set(b);
    trailing.set(new TextEncoder().encode('id3 '), b.length);
    new DataView(trailing.buffer).setUint32(b.length + 4, 5000, true);
    expect(Array.from(decodeWav(trailing, 'tail.wav').pcm[0])).toEqual(want);
  });
});

describe('malformed WAV files get a WavError naming the file', () => {
  const good = () => encodeWav({ sampleRate: 16000, channels: [signal(100, 5)], format: 'pcm16' });
  const fmtAt = (b: Uint8Array) => chunkAt(b, 'fmt ');

  it('empty file', () => expectWavError(new Uint8Array(0), 'empty.wav', /empty/));
  it('not a WAV file', () => expectWavError(new TextEncoder().encode('ID3\x03 this is an mp3, honest'), 'song.mp3', /not a WAV/));
  it('RIFF but not WAVE', () => {
    const b = good();
    b.set(new TextEncoder().encode('AVI '), 8);
    expectWavError(b, 'movie.avi', /not a WAV/);
  });
  it('data size past the end of the file (truncated)', () =>
    expectWavError(good().subarray(0, 120), 'cut.wav', /data chunk claims 200 bytes/));
  it('header only', () => expectWavError(good().subarray(0, 30), 'hdr.wav', /fmt chunk claims 16 bytes|truncated/));
  it('fmt chunk too short', () => {
    const b = good();
    new DataView(b.buffer).setUint32(fmtAt(b) + 4, 12, true);
    expectWavError(b, 'short-fmt.wav', /fmt chunk is 12 bytes/);
  });
  it('zero channels', () => {
    const b = good();
    new DataView(b.buffer).setUint16(fmtAt(b) + 10, 0, true);
    expectWavError(b, 'zero.wav', /0 channels/);
  });
  it('absurd sample rates', () => {
    for (const rate of [0, 7, 4_000_000_000]) {
      const b = good();
      new DataView(b.buffer).setUint32(fmtAt(b) + 12, rate, true);
      expectWavError(b, 'rate.wav', /sample rate/);
    }
  });
  it('block align that contradicts channels x bits', () => {
    const b = good();
    new DataView(b.buffer).setUint16(fmtAt(b) + 20, 3, true);
    expectWavError(b, 'align.wav', /block align 3/);
  });
  it('unsupported bit depth and compressed formats', () => {
    const b = good();
    new DataView(b.buffer).setUint16(fmtAt(b) + 22, 12, true);
    expectWavError(b, 'b12.wav', /12-bit PCM/);
    const c = good();
    new DataView(c.buffer).setUint16(fmtAt(c) + 8, 0x11, true);
    expectWavError(c, 'adpcm.wav', /format 0x11 is not supported/);
  });
  it('no data chunk / no fmt chunk', () => {
    const b = good();
    b.set(new TextEncoder().encode('junk'), chunkAt(b, 'data'));
    expectWavError(b, 'nodata.wav', /no data chunk/);
    const c = good();
    c.set(new TextEncoder().encode('junk'), fmtAt(c));
    expectWavError(c, 'nofmt.wav', /no fmt chunk/);
  });
  it('data size that is not whole sample frames', () => {
    const b = good();
    new DataView(b.buffer).setUint32(chunkAt(b, 'data') + 4, 199, true);
    expectWavError(b, 'frac.wav', /not a whole number/);
  });
  it('non-finite float samples', () => {
    const b = encodeWav({ sampleRate: 16000, channels: [new Float32Array(4)], format: 'float32' });
    new DataView(b.buffer).setFloat32(chunkAt(b, 'data') + 8 + 8, Number.POSITIVE_INFINITY, true);
    expectWavError(b, 'inf.wav', /sample 2 of channel 0 is Infinity/);
  });
  it('missing file', async () => {
    await expect(readWav(join(dir, 'nope.wav'))).rejects.toThrow(/nope\.wav: file not found/);
  });
});

describe('WAV layout variants', () => {
  it('reads a data chunk that comes before the fmt chunk', () => {
    const b = encodeWav({ sampleRate: 16000, channels: [signal(10, 9)], format: 'pcm16' });
    const fmt = b.subarray(12, 36);
    const data = b.subarray(36);
    const swapped = new Uint8Array(b.length);
    swapped.set(b.subarray(0, 12));
    swapped.set(data, 12);
    swapped.set(fmt, 12 + data.length);
    expect(Array.from(decodeWav(swapped, 'swap.wav').pcm[0])).toEqual(Array.from(decodeWav(b, 'b.wav').pcm[0]));
  });

  it('reads extensible files whose valid bits are fewer than the container (20 in 24)', () => {
    const x = signal(50, 4);
    const b = encodeWav({ sampleRate: 48000, channels: [x], format: 'pcm24', extensible: true });
    new DataView(b.buffer).setUint16(chunkAt(b, 'fmt ') + 8 + 18, 20, true);
    expect(Array.from(decodeWav(b, 'x20.wav').pcm[0])).toEqual(Array.from(quantised(x, 24)));
  });

  it('never fails with anything but a WavError on mutated or truncated files (fuzz)', () => {
    const good = encodeWav({ sampleRate: 44100, channels: [signal(64, 1), signal(64, 2)], format: 'pcm24', extensible: true });
    let s = 99;
    const rand = (n: number) => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s % n;
    };
    let decoded = 0;
    let rejected = 0;
    for (let trial = 0; trial < 2000; trial++) {
      let b = good.slice();
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) b[rand(80)] = rand(256);
      if (rand(3) === 0) b = b.subarray(0, rand(b.length + 1));
      try {
        const wav = decodeWav(b, 'fuzz.wav');
        for (const ch of wav.pcm) for (const v of ch) if (!Number.isFinite(v)) throw new Error('non-finite sample');
        decoded++;
      } catch (err) {
        if (!(err instanceof WavError)) throw err;
        expect(err.message.startsWith('fuzz.wav: ')).toBe(true);
        rejected++;
      }
    }
    // Both outcomes occur, so the fuzzing reaches past the header checks.
    expect(decoded).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});

describe('loadMono16k', () => {
  it('downmixes stereo by averaging and keeps 16 kHz files as they are', async () => {
    const l = Float32Array.of(0.5, 0.25, -1);
    const r = Float32Array.of(-0.5, 0.25, 0);
    expect(Array.from(downmix([l, r]))).toEqual([0, 0.25, -0.5]);
    const path = join(dir, 'st.wav');
    writeFileSync(path, encodeWav({ sampleRate: 16000, channels: [l, r], format: 'float32' }));
    expect(Array.from(await loadMono16k(path))).toEqual([0, 0.25, -0.5]);
  });

  it('resamples other rates to 16 kHz', async () => {
    const path = join(dir, 'r44.wav');
    writeFileSync(path, encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100)], format: 'pcm16' }));
    expect((await loadMono16k(path)).length).toBe(FRONTEND.sampleRate);
    const bytes = encodeWav({ sampleRate: 8000, channels: [new Float32Array(800), new Float32Array(800)], format: 'pcm8' });
    expect(decodeMono16k(bytes, 'upload.wav').length).toBe(1600);
    expect(() => decodeMono16k(new Uint8Array(3), 'upload.wav')).toThrow(/upload\.wav: not a WAV/);
  });

  it('names the file when it is not a WAV', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello');
    await expect(loadMono16k(path)).rejects.toThrow(WavError);
    await expect(loadMono16k(path)).rejects.toThrow(/notes\.txt: not a WAV/);
  });
});
