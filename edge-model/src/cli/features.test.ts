import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../audio/wav.ts';
import { computeLogMel } from '../frontend/logmel.ts';

const BIN = fileURLToPath(new URL('../../../bin/signalcraft.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sc-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const pcm = Float32Array.from({ length: 8000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 440 * i) / 16000));
const wavPath = join(dir, 'tone.wav');
writeFileSync(wavPath, encodeWav({ sampleRate: 16000, channels: [pcm], format: 'float32' }));

describe('signalcraft features', () => {
  it('writes raw float32 features equal to computeLogMel, and JSON by extension', async () => {
    const want = computeLogMel(pcm);
    const bin = join(dir, 'out', 'tone.f32');
    const r = await run(['features', wavPath, '--out', bin]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/14 frames x 64 bands \(bin\)/);
    const bytes = readFileSync(bin);
    expect(bytes.length).toBe(want.data.length * 4);
    const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(got).toEqual(want.data);

    const json = join(dir, 'tone.json');
    expect((await run(['features', wavPath, '--out', json])).code).toBe(0);
    const parsed = JSON.parse(readFileSync(json, 'utf8'));
    expect(parsed).toMatchObject({ frames: 14, nMels: 64, frontend: { sampleRate: 16000 } });
    expect(Float32Array.from(parsed.data)).toEqual(want.data);
  });

  it('fails with one line naming the file for a non-WAV input, a bad --format and a too-short clip', async () => {
    const txt = join(dir, 'readme.txt');
    writeFileSync(txt, 'not audio');
    const a = await run(['features', txt, '--out', join(dir, 'x.f32')]);
    expect(a.code).toBe(1);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/readme\.txt: not a WAV file/);

    const b = await run(['features', wavPath, '--out', join(dir, 'x.f32'), '--format', 'csv']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--format must be json or bin/);

    const short = join(dir, 'short.wav');
    writeFileSync(short, encodeWav({ sampleRate: 16000, channels: [new Float32Array(500)], format: 'pcm16' }));
    const c = await run(['features', short, '--out', join(dir, 'x.f32')]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/too short for one frame/);
  });
});
