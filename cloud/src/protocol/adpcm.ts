/**
 * IMA ADPCM as the clip upload's `ima-adpcm` encoding defines it (see schemas.ts): a 4-byte header
 * (int16 LE initial predictor, uint8 step index, uint8 reserved) then 4-bit codes, low nibble first.
 * 4:1 against pcm16, which keeps a 10 s clip upload near 110 kB of base64 over a weak Wi-Fi link.
 */
const INDEX_TABLE = [-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8];
const STEP_TABLE = [
  7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143,
  157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411,
  1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442,
  11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
];
export const ADPCM_HEADER_BYTES = 4;

export class AdpcmError extends Error {
  override name = 'AdpcmError';
}

const clamp16 = (v: number) => Math.min(32767, Math.max(-32768, v));
const clampIndex = (i: number) => Math.min(88, Math.max(0, i));

/** Bytes an encoded stream of `samples` samples occupies. */
export function adpcmByteLength(samples: number): number {
  return ADPCM_HEADER_BYTES + Math.ceil(samples / 2);
}

export function encodeImaAdpcm(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(adpcmByteLength(pcm.length));
  const view = new DataView(out.buffer);
  let predictor = pcm.length > 0 ? pcm[0] : 0;
  let index = 0;
  view.setInt16(0, predictor, true);
  out[2] = index;
  for (let n = 0; n < pcm.length; n++) {
    const step = STEP_TABLE[index];
    let diff = pcm[n] - predictor;
    let code = 0;
    if (diff < 0) {
      code = 8;
      diff = -diff;
    }
    let delta = step >> 3;
    if (diff >= step) {
      code |= 4;
      diff -= step;
      delta += step;
    }
    if (diff >= step >> 1) {
      code |= 2;
      diff -= step >> 1;
      delta += step >> 1;
    }
    if (diff >= step >> 2) {
      code |= 1;
      delta += step >> 2;
    }
    predictor = clamp16(code & 8 ? predictor - delta : predictor + delta);
    index = clampIndex(index + INDEX_TABLE[code]);
    const byte = ADPCM_HEADER_BYTES + (n >> 1);
    out[byte] |= n & 1 ? code << 4 : code;
  }
  return out;
}

export function decodeImaAdpcm(bytes: Uint8Array, samples: number): Int16Array {
  if (bytes.length < ADPCM_HEADER_BYTES) throw new AdpcmError('ima-adpcm data is shorter than its 4-byte header');
  const need = adpcmByteLength(samples);
  if (bytes.length !== need) {
    throw new AdpcmError(`ima-adpcm data holds ${bytes.length} bytes but ${samples} samples need exactly ${need}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let predictor = view.getInt16(0, true);
  let index = bytes[2];
  if (index > 88) throw new AdpcmError(`ima-adpcm step index ${index} is out of range 0..88`);
  const out = new Int16Array(samples);
  for (let n = 0; n < samples; n++) {
    const byte = bytes[ADPCM_HEADER_BYTES + (n >> 1)];
    const code = n & 1 ? byte >> 4 : byte & 0x0f;
    const step = STEP_TABLE[index];
    let delta = step >> 3;
    if (code & 4) delta += step;
    if (code & 2) delta += step >> 1;
    if (code & 1) delta += step >> 2;
    predictor = clamp16(code & 8 ? predictor - delta : predictor + delta);
    index = clampIndex(index + INDEX_TABLE[code]);
    out[n] = predictor;
  }
  return out;
}
