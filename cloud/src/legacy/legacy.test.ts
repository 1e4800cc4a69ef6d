import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../edge-model/src/audio/wav.ts';
import { renderClip, sampleMachine } from '../../../edge-model/src/synth/index.ts';
import { verdictWindows } from '../db/schema.ts';
import { REPO_ROOT } from '../models/registry.ts';
import { seedDemo } from '../seed.ts';
import { call, startTestServer, type TestServer, UserClient } from '../testing/harness.ts';

function wav(seconds: number, rate = 44100, channels = 2): Uint8Array {
  const chs = Array.from({ length: channels }, () => {
    const x = new Float32Array(Math.round(seconds * rate));
    for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 120 * i) / rate);
    return x;
  });
  return encodeWav({ sampleRate: rate, channels: chs, format: 'pcm16' });
}

describe('legacy endpoints, OpenAPI, seed', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { ensembleLoader: async () => Promise.reject(new Error('absent in this test')) });
  });
  afterAll(() => s.dispose());

  it('GET / serves the landing page and /api/openapi.json lists the routes', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await res.text()).toContain('/app/');
    const doc = await call(s.url, 'GET', '/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(
      doc.body.paths['/api/v1/device/verdicts'].post.requestBody.content['application/json'].schema.properties.windows,
    ).toBeTruthy();
    expect(Object.keys(doc.body.paths).length).toBeGreaterThan(35);
  });

  it('POST /api/esp32/data maps the legacy payload onto ingestion, idempotently', async () => {
    const d = await s.addDevice();
    const ts = Math.floor(Date.now() / 1000) - 30;
    const body = { deviceId: d.deviceId, timestamp: ts, rms: 0.05, anomalyScore: 0.4, status: 'normal' };
    const a = await call(s.url, 'POST', '/api/esp32/data', { token: d.token, body });
    expect(a.status).toBe(200);
    expect(a.body.duplicate).toBe(false);
    const b = await call(s.url, 'POST', '/api/esp32/data', { token: d.token, body });
    expect(b.body.duplicate).toBe(true);
    await call(s.url, 'POST', '/api/esp32/data', { token: d.token, body: { timestamp: ts + 5, score: 3 } });
    const rows = await s.ctx.db.select().from(verdictWindows).where(eq(verdictWindows.deviceId, d.deviceId));
    expect(rows.map((r) => [r.t, r.state])).toEqual([
      [ts * 1000, 'normal'],
      [(ts + 5) * 1000, 'alarm'],
    ]);
    expect(Math.round(rows[0].levelDb)).toBe(-26);
    expect((await call(s.url, 'POST', '/api/esp32/data', { token: d.token, body: { rms: 1 } })).status).toBe(422);
    expect((await call(s.url, 'POST', '/api/esp32/data', { body })).status).toBe(401);
  });

  it('POST /api/lightweight-analyze takes multipart or raw WAV and answers with a summary when no ensemble', async () => {
    const form = new FormData();
    form.set('audio', new Blob([wav(1.5) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }), 'phone.wav');
    const res = await fetch(`${s.url}/api/lightweight-analyze`, { method: 'POST', body: form });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.input).toMatchObject({ sampleRate: 44100, channels: 2 });
    expect(body.input.durationS).toBeCloseTo(1.5, 2);
    expect(body.analysis.source).toBe('log-mel summary');
    expect(body.summary.rmsDb).toBeCloseTo(20 * Math.log10(0.3 / Math.SQRT2), 0);
    const raw = await call(s.url, 'POST', '/api/lightweight-analyze', {
      raw: wav(1, 16000, 1) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'audio/wav' },
    });
    expect(raw.status).toBe(200);
    const junk = await call(s.url, 'POST', '/api/lightweight-analyze', {
      raw: 'RIFF....not a wav',
      headers: { 'content-type': 'audio/wav' },
    });
    expect(junk.status).toBe(422);
    expect(junk.body.error.code).toBe('bad_audio');
    const short = await call(s.url, 'POST', '/api/lightweight-analyze', {
      raw: wav(0.1, 16000, 1) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'audio/wav' },
    });
    expect(short.status).toBe(422);
    expect(
      (await call(s.url, 'POST', '/api/lightweight-analyze', { raw: 'x', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415);
    const noField = new FormData();
    noField.set('file', 'nope');
    expect((await fetch(`${s.url}/api/lightweight-analyze`, { method: 'POST', body: noField })).status).toBe(422);
  });

  it('seedDemo creates a usable demo org and re-issues credentials on a second call', async () => {
    const first = await seedDemo(s.ctx.db, { count: 3, password: 'demo-password-1' });
    expect(first.devices).toHaveLength(3);
    const second = await seedDemo(s.ctx.db, { count: 3 });
    expect(second.orgId).toBe(first.orgId);
    expect(second.devices.map((d) => d.id)).toEqual(first.devices.map((d) => d.id));
    expect((await call(s.url, 'GET', '/api/v1/device/config', { token: first.devices[0].token })).status).toBe(401);
    expect((await call(s.url, 'GET', '/api/v1/device/config', { token: second.devices[0].token })).status).toBe(200);
    const u = new UserClient(s.url);
    expect((await u.req('POST', '/api/auth/login', { email: second.email, password: second.password })).status).toBe(200);
    expect((await u.req('GET', '/api/fleet')).body).toHaveLength(3);
  });
});

describe('lightweight-analyze with the committed ensemble', () => {
  const dir = path.join(REPO_ROOT, 'models', 'ensemble');
  it.skipIf(!existsSync(path.join(dir, 'ensemble.json')))(
    'returns the ensemble diagnosis for a synthetic compressor recording',
    async () => {
      const s = await startTestServer({ ENSEMBLE_DIR: dir });
      try {
        const pcm = renderClip({
          machine: sampleMachine('legacy-test/m0', 'm0'),
          seed: 'lw',
          durationS: 3,
          fault: 'bearing',
          severity: 1,
          snrDb: 25,
          load: 0.7,
        }).pcm;
        const body = encodeWav({ sampleRate: 16000, channels: [pcm], format: 'pcm16' });
        const r = await call(s.url, 'POST', '/api/lightweight-analyze', {
          raw: body as Uint8Array<ArrayBuffer>,
          headers: { 'content-type': 'audio/wav' },
        });
        expect(r.status).toBe(200);
        expect(r.body.analysis.source).toBe('ensemble');
        expect(['normal', 'borderline', 'anomalous']).toContain(r.body.analysis.state);
        expect(r.body.analysis.version).toBeTruthy();
        expect(r.body.analysis.explanation.length).toBeGreaterThan(0);
      } finally {
        await s.dispose();
      }
    },
  );
});

describe('signalcraft serve', () => {
  it('starts from the environment, answers /healthz and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-serve-'));
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'signalcraft.mjs'), 'serve', '--port', '0'], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, LOG_REQUESTS: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let err = '';
      let out = '';
      child.stdout.on('data', (b) => {
        out += b;
      });
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 30_000);
        child.stderr.on('data', (b) => {
          err += b;
          const m = /listening on (http:\/\/\S+)/.exec(err);
          if (m) {
            clearTimeout(t);
            resolve(m[1]);
          }
        });
      });
      expect((await call(url, 'GET', '/healthz')).body.ok).toBe(true);
      const code = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await code).toBe(0);
      const line = out.split('\n').find((l) => l.includes('"path":"/healthz"'));
      expect(JSON.parse(line!)).toMatchObject({ msg: 'request', method: 'GET', path: '/healthz', status: 200 });
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad --port with a one-line error', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'signalcraft.mjs'), 'serve', '--port', 'abc'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toMatch(/--port must be a number/);
  });
});
