import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../edge-model/src/audio/wav.ts';
import { generateDataset } from '../../../edge-model/src/synth/index.ts';
import { LabelsError, parseLabels, readTechnicianLabels } from './labels.ts';
import { faultyClip, normalClip } from './test-fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/signalcraft.mjs');
let dir: string;
let server: Server;
let base: string;
const requests: string[] = [];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, 'train-ensemble', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
}

/** Asynchronous, so the labels server in this process keeps answering the child. */
function cliAsync(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'train-ensemble', ...args], { cwd: root, timeout: 300_000 }, (err, stdout, stderr) => {
      done({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-ens-cli-'));
  // A labels export served the way the cloud would: JSON list + WAV audio per clip id.
  const wav = (pcm: Float32Array) => Buffer.from(encodeWav({ sampleRate: 16000, channels: [pcm], format: 'pcm16' }));
  const audio: Record<string, Buffer> = {
    c1: wav(normalClip(300)),
    c2: wav(faultyClip('bearing', 30)),
    c3: wav(faultyClip('valve-leak', 31)),
  };
  server = createServer((req, res) => {
    requests.push(`${req.url} ${req.headers.authorization ?? ''}`);
    if (req.url === '/api/labels/export') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify([
          { clipId: 'c1', label: 'false-alarm' },
          { clipId: 'c2', label: 'bearing' },
          { clipId: 'c3', label: 'valve-leak' },
        ]),
      );
      return;
    }
    const m = /^\/api\/clips\/(\w+)\/audio$/.exec(req.url ?? '');
    if (m && audio[m[1]]) {
      res.setHeader('content-type', 'audio/wav');
      res.end(audio[m[1]]);
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('labels export', () => {
  it('rejects malformed exports with the entry that is wrong', () => {
    expect(() => parseLabels('nope', 'x.json')).toThrow(/not valid JSON/);
    expect(() => parseLabels('{}', 'x.json')).toThrow(/JSON array/);
    expect(() => parseLabels('[{"path":"a.wav","label":"Bad Label"}]', 'x.json')).toThrow(/x\.json\[0\]\.label/);
    expect(() => parseLabels('[{"label":"bearing"}]', 'x.json')).toThrow(/needs a path or a clipId/);
  });

  it('reads a file export with paths relative to it; clip ids without audio are refused', async () => {
    const sub = join(dir, 'labels');
    await mkdir(sub, { recursive: true });
    await writeFile(
      join(sub, 'a.wav'),
      encodeWav({ sampleRate: 16000, channels: [faultyClip('slugging', 40)], format: 'pcm16' }),
    );
    await writeFile(join(sub, 'labels.json'), JSON.stringify([{ path: 'a.wav', label: 'slugging' }]));
    const got = await readTechnicianLabels(join(sub, 'labels.json'));
    expect(got.faults.map((f) => f.label)).toEqual(['slugging']);
    expect(got.faults[0].pcm.length).toBe(24000);
    await writeFile(join(sub, 'ids.json'), JSON.stringify([{ clipId: 7, label: 'normal' }]));
    await expect(readTechnicianLabels(join(sub, 'ids.json'))).rejects.toThrow(LabelsError);
  });

  it('fetches a URL export and each clip’s audio from the same origin, with SIGNALCRAFT_AUTH', async () => {
    process.env.SIGNALCRAFT_AUTH = 'Bearer t0k';
    try {
      const got = await readTechnicianLabels(`${base}/api/labels/export`);
      expect(got.normal).toHaveLength(1);
      expect(got.faults.map((f) => f.label)).toEqual(['bearing', 'valve-leak']);
      expect(requests).toContain('/api/clips/c2/audio Bearer t0k');
    } finally {
      delete process.env.SIGNALCRAFT_AUTH;
    }
    await expect(readTechnicianLabels(`${base}/nothing`)).rejects.toThrow(/HTTP 404/);
  });
});

describe('signalcraft train-ensemble', () => {
  it('refuses bad flags with one line saying what to do', () => {
    const missing = cli('--data', join(dir, 'nope'), '--out', join(dir, 'out'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--data .* is not a folder/);
    const seed = cli('--data', dir, '--out', join(dir, 'out'), '--seed', 'abc');
    expect(seed.stderr).toMatch(/--seed must be a number/);
  });

  it('trains on a small synthetic dataset (+ labels from a URL) and writes the model and held-out metrics', async () => {
    const data = join(dir, 'data');
    await generateDataset({
      outDir: data,
      seed: 3,
      machines: 2,
      clipsPerMachine: 10,
      testNormalPerMachine: 3,
      anomaliesPerFault: 1,
      durationS: 1.5,
    });
    const out = join(dir, 'model');
    const r = await cliAsync(
      '--data',
      data,
      '--out',
      out,
      '--quick',
      '--synthetic-faults',
      '3',
      '--labels-from',
      `${base}/api/labels/export`,
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.version).toMatch(/^1\.0\.0\+[0-9a-f]{12}$/);
    expect(summary.training.technicianLabels).toBe(3);
    expect(summary.training.normalClips).toBe(21);
    expect(existsSync(join(out, 'ensemble.json'))).toBe(true);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.ensemble.auc).toBeGreaterThan(0.5);
    expect(Object.keys(metrics.classifier.perFault).length).toBe(6);
  });
});
