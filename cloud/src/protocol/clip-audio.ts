import { decodeImaAdpcm } from './adpcm.ts';
import type { ClipUpload } from './schemas.ts';

export class ClipAudioError extends Error {
  override name = 'ClipAudioError';
}

/** Decodes the upload's base64 audio to int16 PCM, checking its length against `samples`. */
export function decodeClipAudio(upload: Pick<ClipUpload, 'encoding' | 'samples' | 'audio'>): Int16Array {
  const bytes = Buffer.from(upload.audio, 'base64');
  if (bytes.length === 0) throw new ClipAudioError('audio is empty');
  if (upload.encoding === 'pcm16') {
    if (bytes.length !== upload.samples * 2) {
      throw new ClipAudioError(
        `pcm16 audio holds ${bytes.length} bytes but ${upload.samples} samples need ${upload.samples * 2}`,
      );
    }
    const out = new Int16Array(upload.samples);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
    return out;
  }
  try {
    return decodeImaAdpcm(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), upload.samples);
  } catch (err) {
    throw new ClipAudioError((err as Error).message);
  }
}

export function int16ToFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
  return out;
}

export function floatToInt16(pcm: Float32Array): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32768)));
  return out;
}
