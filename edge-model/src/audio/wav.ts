import { readFile, writeFile } from 'node:fs/promises';

/**
 * RIFF/WAVE reading and writing: PCM 8/16/24/32-bit and IEEE float (32/64-bit), plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count. Hand-written rather than a library because the
 * error contract matters more than the parsing: every malformed file must fail with a `WavError`
 * that names the file and says what is wrong, and unknown chunks must be skipped, not rejected.
 */

/** A WAV file that cannot be read, with the file's name in the message. */
export class WavError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'WavError';
  }
}

export type WavSampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export interface DecodedWav {
  readonly sampleRate: number;
  readonly channels: number;
  /** One Float32Array per channel; integer formats are scaled to [-1, 1). */
  readonly pcm: Float32Array[];
  /** The sample format the file stored. */
  readonly format: WavSampleFormat;
}

export interface EncodeWavOptions {
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
  readonly format: Exclude<WavSampleFormat, 'float64'>;
  /**
   * Write WAVE_FORMAT_EXTENSIBLE. Default: only when there are more than two channels (Microsoft's
   * rule); plain PCM/float headers are the most widely readable otherwise.
   */
  readonly extensible?: boolean;
}

/** Sample rates outside this range are treated as a corrupt header rather than audio. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768_000;
const MAX_CHANNELS = 256;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Streaming writers that cannot seek back put this in the data size: "until end of file". */
const SIZE_UNKNOWN = 0xffffffff;

/** The tail of the KSDATAFORMAT_SUBTYPE_* GUIDs after the 2-byte format code. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function isChunkId(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

interface Fmt {
  code: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

function parseFmt(view: DataView, at: number, size: number, fail: (r: string) => never): Fmt {
  if (size < 16) fail(`fmt chunk is ${size} bytes; at least 16 are needed`);
  let code = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (code === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes; 40 are needed`);
    code = view.getUint16(at + 24, true);
    for (let i = 0; i < SUBTYPE_GUID_TAIL.length; i++) {
      if (view.getUint8(at + 26 + i) !== SUBTYPE_GUID_TAIL[i]) fail('WAVE_FORMAT_EXTENSIBLE sub-format GUID is not PCM or float');
    }
  }
  if (channels === 0) fail('fmt chunk says 0 channels');
  if (channels > MAX_CHANNELS) fail(`fmt chunk says ${channels} channels (at most ${MAX_CHANNELS} supported)`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    fail(`sample rate ${sampleRate} Hz is outside ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz (corrupt header?)`);
  }
  if (code === WAVE_FORMAT_PCM) {
    if (![8, 16, 24, 32].includes(bits)) fail(`${bits}-bit PCM is not supported (8, 16, 24 or 32)`);
  } else if (code === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits !== 32 && bits !== 64) fail(`${bits}-bit float is not supported (32 or 64)`);
  } else {
    fail(`audio format 0x${code.toString(16)} is not supported (only PCM and IEEE float; compressed WAVs need converting)`);
  }
  const expected = (channels * bits) / 8;
  if (blockAlign !== expected) fail(`block align ${blockAlign} does not match ${channels} channels x ${bits} bits`);
  return { code, channels, sampleRate, blockAlign, bits };
}

function formatOf(fmt: Fmt): WavSampleFormat {
  if (fmt.code === WAVE_FORMAT_IEEE_FLOAT) return fmt.bits === 32 ? 'float32' : 'float64';
  return `pcm${fmt.bits}` as WavSampleFormat;
}

function deinterleave(view: DataView, at: number, frames: number, fmt: Fmt, fail: (r: string) => never): Float32Array[] {
  const { channels, bits, blockAlign } = fmt;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const bytesPer = bits / 8;
  const format = formatOf(fmt);
  for (let c = 0; c < channels; c++) {
    const ch = out[c];
    let p = at + c * bytesPer;
    switch (format) {
      case 'pcm8':
        for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = (view.getUint8(p) - 128) / 128;
        break;
      case 'pcm16':
        for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = view.getInt16(p, true) / 32768;
        break;
      case 'pcm24':
        for (let i = 0; i < frames; i++, p += blockAlign) {
          // Sign-extend the 3-byte value by placing it in the top of an int32.
          const v = ((view.getUint8(p + 2) << 24) | (view.getUint8(p + 1) << 16) | (view.getUint8(p) << 8)) >> 8;
          ch[i] = v / 8388608;
        }
        break;
      case 'pcm32':
        for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = view.getInt32(p, true) / 2147483648;
        break;
      case 'float32':
      case 'float64':
        for (let i = 0; i < frames; i++, p += blockAlign) {
          const v = format === 'float32' ? view.getFloat32(p, true) : view.getFloat64(p, true);
          if (!Number.isFinite(v)) fail(`sample ${i} of channel ${c} is ${v} (float audio must be finite)`);
          ch[i] = v;
        }
        break;
    }
  }
  return out;
}

/**
 * Decodes a WAV file's bytes. `name` is only used in error messages (pass the path).
 * Tolerates unknown chunks (LIST, fact, bext…), missing or present pad bytes after odd-sized
 * chunks, a wrong RIFF size, a truncated chunk after the audio, and a data size of 0xFFFFFFFF
 * (streaming writers). Rejects, with a `WavError`: empty files, non-WAV files, a data chunk that
 * runs past the end of the file, a short fmt chunk, 0 channels, absurd rates, unsupported formats.
 */
export function decodeWav(bytes: Uint8Array, name: string): DecodedWav {
  const fail = (reason: string): never => {
    throw new WavError(name, reason);
  };
  if (bytes.length === 0) fail('file is empty');
  if (bytes.length < 12 || fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') {
    if (bytes.length >= 4 && fourcc(bytes, 0) === 'RF64') fail('RF64 (>4 GB WAV) is not supported');
    fail('not a WAV file (no RIFF/WAVE header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | undefined;
  let data: { at: number; size: number } | undefined;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = fourcc(bytes, pos);
    let size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const remaining = bytes.length - body;
    if (id === 'data' && size === SIZE_UNKNOWN) size = remaining;
    if (size > remaining) {
      if (id === 'data') fail(`data chunk claims ${size} bytes but only ${remaining} remain (truncated file?)`);
      if (id === 'fmt ') fail(`fmt chunk claims ${size} bytes but only ${remaining} remain (truncated file?)`);
      // A truncated trailing chunk (metadata) after the audio loses nothing: stop here.
      if (data && fmt) break;
      fail(`chunk "${id}" claims ${size} bytes but only ${remaining} remain (truncated or not a WAV file)`);
    }
    if (id === 'fmt ') {
      if (fmt) fail('more than one fmt chunk');
      fmt = parseFmt(view, body, size, fail);
    } else if (id === 'data') {
      if (data) fail('more than one data chunk');
      data = { at: body, size };
    }
    let next = body + size;
    // RIFF pads odd-sized chunks to even length, but some writers forget the pad byte: follow
    // whichever position holds something that looks like a chunk id.
    if (size % 2 === 1 && !(isChunkId(bytes, next) && !isChunkId(bytes, next + 1))) next += 1;
    pos = next;
  }
  if (!fmt) fail('no fmt chunk (not a valid WAV file)');
  if (!data) fail('no data chunk (no audio in this WAV file)');
  const f = fmt as Fmt;
  const d = data as { at: number; size: number };
  if (d.size % f.blockAlign !== 0) {
    // Only a pad byte after an odd-sized final frame is acceptable.
    fail(`data chunk is ${d.size} bytes, not a whole number of ${f.blockAlign}-byte sample frames`);
  }
  const frames = d.size / f.blockAlign;
  return { sampleRate: f.sampleRate, channels: f.channels, pcm: deinterleave(view, d.at, frames, f, fail), format: formatOf(f) };
}

/** Reads and decodes a WAV file; I/O errors are reported as `WavError`s naming the file too. */
export async function readWav(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WavError(path, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`);
  }
  return decodeWav(bytes, path);
}

const BITS: Record<EncodeWavOptions['format'], number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32 };

function quantise(x: number, scale: number): number {
  // Round to nearest, then clip: +1.0 maps to the largest code rather than wrapping to -1.
  return Math.min(scale - 1, Math.max(-scale, Math.round(x * scale)));
}

/**
 * Encodes channels as a WAV file. Integer formats round to the nearest code and clip to the
 * representable range; non-finite samples are rejected rather than written as noise.
 */
export function encodeWav(opts: EncodeWavOptions): Uint8Array {
  const { sampleRate, channels, format } = opts;
  if (!(format in BITS)) throw new RangeError(`encodeWav: unknown format "${format}"`);
  if (channels.length === 0 || channels.length > MAX_CHANNELS) {
    throw new RangeError(`encodeWav: need 1..${MAX_CHANNELS} channels, got ${channels.length}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new RangeError(
      `encodeWav: sample rate must be an integer in ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE}, got ${sampleRate}`,
    );
  }
  const frames = channels[0].length;
  for (const ch of channels) {
    if (ch.length !== frames) throw new RangeError('encodeWav: all channels must have the same length');
  }
  const bits = BITS[format];
  const bytesPer = bits / 8;
  const nch = channels.length;
  const blockAlign = nch * bytesPer;
  const dataSize = frames * blockAlign;
  if (dataSize > 0xfffffff0) throw new RangeError('encodeWav: audio too long for a RIFF file (4 GB limit)');
  const isFloat = format === 'float32';
  const extensible = opts.extensible ?? nch > 2;
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  // Non-PCM formats carry a fact chunk (sample frames per channel), as the RIFF spec asks.
  const factSize = isFloat || extensible ? 12 : 0;
  const pad = dataSize % 2;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  const code = isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  view.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : code, true);
  view.setUint16(22, nch, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  if (fmtSize >= 18) view.setUint16(36, fmtSize - 18, true);
  if (extensible) {
    view.setUint16(38, bits, true);
    // Speaker positions only make sense for up to 18 channels; 0 means "no particular layout".
    view.setUint32(40, nch <= 18 ? 2 ** nch - 1 : 0, true);
    view.setUint16(44, code, true);
    out.set(SUBTYPE_GUID_TAIL, 46);
  }
  let p = 20 + fmtSize;
  if (factSize) {
    ascii(p, 'fact');
    view.setUint32(p + 4, 4, true);
    view.setUint32(p + 8, frames, true);
    p += factSize;
  }
  ascii(p, 'data');
  view.setUint32(p + 4, dataSize, true);
  p += 8;
  for (let c = 0; c < nch; c++) {
    const ch = channels[c];
    let q = p + c * bytesPer;
    for (let i = 0; i < frames; i++, q += blockAlign) {
      const x = ch[i];
      if (!Number.isFinite(x)) throw new RangeError(`encodeWav: sample ${i} of channel ${c} is ${x}`);
      switch (format) {
        case 'pcm8':
          view.setUint8(q, quantise(x, 128) + 128);
          break;
        case 'pcm16':
          view.setInt16(q, quantise(x, 32768), true);
          break;
        case 'pcm24': {
          const v = quantise(x, 8388608);
          view.setUint8(q, v & 0xff);
          view.setUint8(q + 1, (v >> 8) & 0xff);
          view.setUint8(q + 2, (v >> 16) & 0xff);
          break;
        }
        case 'pcm32':
          view.setInt32(q, quantise(x, 2147483648), true);
          break;
        case 'float32':
          view.setFloat32(q, x, true);
          break;
      }
    }
  }
  return out;
}

/** Encodes and writes a WAV file. */
export async function writeWav(path: string, opts: EncodeWavOptions): Promise<void> {
  await writeFile(path, encodeWav(opts));
}
