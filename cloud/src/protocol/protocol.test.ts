import { describe, expect, it } from 'vitest';
import { decodeImaAdpcm, encodeImaAdpcm } from './adpcm.ts';
import { ClipAudioError, decodeClipAudio } from './clip-audio.ts';
import { protocolExamples, staleProtocolFiles } from './export.ts';
import { clipUpload, PROTOCOL_SCHEMAS, verdictBatch } from './schemas.ts';

describe('protocol export', () => {
  it('committed schema.json and examples match the zod schemas (run export.ts if this fails)', async () => {
    expect(await staleProtocolFiles()).toEqual([]);
  });

  it('every example validates against its schema', () => {
    for (const [, name, value] of protocolExamples()) expect(PROTOCOL_SCHEMAS[name].safeParse(value).success).toBe(true);
  });

  it('rejects the mistakes a firmware encoder is likely to make', () => {
    const good = protocolExamples().find(([s]) => s === 'verdicts')![2] as Record<string, any>;
    expect(verdictBatch.safeParse(good).success).toBe(true);
    expect(verdictBatch.safeParse({ ...good, seq: 0 }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, bootId: 'xyz' }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, v: 2 }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, windows: [] }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, windows: Array(121).fill(good.windows[0]) }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, windows: [{ ...good.windows[0], state: 'bad' }] }).success).toBe(false);
    expect(verdictBatch.safeParse({ ...good, modelSha256: 'ABC' }).success).toBe(false);
  });
});

describe('IMA ADPCM', () => {
  it('round-trips a tone with high SNR and 4:1 size', () => {
    const n = 16000;
    const pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) pcm[i] = Math.round(10000 * Math.sin((2 * Math.PI * 300 * i) / 16000));
    const bytes = encodeImaAdpcm(pcm);
    expect(bytes.length).toBe(4 + n / 2);
    const back = decodeImaAdpcm(bytes, n);
    let sig = 0;
    let err = 0;
    for (let i = 0; i < n; i++) {
      sig += pcm[i] ** 2;
      err += (pcm[i] - back[i]) ** 2;
    }
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(25);
  });

  it('decodes the committed example to the same samples as the pcm16 example (within codec error)', () => {
    const ex = Object.fromEntries(protocolExamples().map(([s, , v]) => [s, v])) as Record<string, any>;
    const a = decodeClipAudio(clipUpload.parse(ex['clip-pcm16']));
    const b = decodeClipAudio(clipUpload.parse(ex['clip-ima-adpcm']));
    expect(b.length).toBe(a.length);
    let maxErr = 0;
    for (let i = 100; i < a.length; i++) maxErr = Math.max(maxErr, Math.abs(a[i] - b[i]));
    expect(maxErr).toBeLessThan(800);
  });

  it('names the problem for truncated or mislabelled audio', () => {
    expect(() => decodeClipAudio({ encoding: 'pcm16', samples: 10, audio: Buffer.alloc(18).toString('base64') })).toThrow(
      /18 bytes but 10 samples/,
    );
    expect(() => decodeClipAudio({ encoding: 'ima-adpcm', samples: 100, audio: Buffer.alloc(20).toString('base64') })).toThrow(
      ClipAudioError,
    );
    const bad = new Uint8Array(4 + 5);
    bad[2] = 99;
    expect(() => decodeImaAdpcm(bad, 10)).toThrow(/step index 99/);
  });
});
