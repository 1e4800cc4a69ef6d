import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clips, rescoreJobs } from '../db/schema.ts';
import { readTechnicianLabels } from '../ensemble/labels.ts';
import { REPO_ROOT } from '../models/registry.ts';
import { call, startTestServer, type TestServer, UserClient } from '../testing/harness.ts';
import { rmsVerdict } from '../testing/rms-ensemble.ts';
import { SseClient } from '../testing/sse-client.ts';
import type { Ensemble } from './worker.ts';

/** The queue tests use a transparent RMS stand-in (testing/rms-ensemble.ts); the real ensemble is below. */
const levelEnsemble: Ensemble = { version: 'test-rms-1', rescore: rmsVerdict };

function tone(amplitude: number, seconds = 1): string {
  const pcm = new Int16Array(16000 * seconds);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 150 * i) / 16000));
  return Buffer.from(pcm.buffer).toString('base64');
}

/** A device clip message (contract E) carrying a pcm16 tone. */
function clipMessage(deviceId: string, seq: number, amplitude: number, seconds = 1, t = 1, edgeScore = 1) {
  return {
    v: 1,
    deviceId,
    bootId: '0123abcd',
    seq,
    t,
    edgeScore,
    sampleRate: 16000,
    encoding: 'pcm16',
    samples: 16000 * seconds,
    audio: tone(amplitude, seconds),
  };
}

describe('re-scoring queue', () => {
  let s: TestServer;
  let owner: UserClient;
  let dev: { id: string; token: string };
  let seq = 0;
  const upload = (amplitude: number, seconds = 1) =>
    call(s.url, 'POST', '/api/v1/device/clips', {
      token: dev.token,
      body: clipMessage(dev.id, ++seq, amplitude, seconds, Date.now() - 1000, 0.9),
    });

  beforeAll(async () => {
    s = await startTestServer({}, { ensembleLoader: async () => levelEnsemble });
    owner = await UserClient.signup(s.url, 'rs@example.com');
    const r = await owner.req('POST', '/api/devices', { name: 'RS', siteName: 'S', machineName: 'M', compressorType: 'scroll' });
    dev = { id: r.body.device.id, token: r.body.provisioningToken };
  });
  afterAll(() => s.dispose());

  it('an upload creates a job; the worker stores the verdict, streams it and opens a cloud alarm', async () => {
    const sse = await new SseClient(`${s.url}/api/notifications/stream`, { cookie: owner.cookieHeader() }).open();
    const r = await upload(0.5);
    expect(r.status).toBe(200);
    const ev = await sse.waitFor((e) => e.event === 'cloud-verdict');
    expect(ev.data).toMatchObject({
      clipId: r.body.clipId,
      state: 'anomalous',
      version: 'test-rms-1',
      fault: { type: 'bearing' },
    });
    const alarm = await sse.waitFor((e) => e.event === 'alarm' && e.data.alarm.type === 'cloud-anomaly');
    expect(alarm.data.alarm.detail.fault.type).toBe('bearing');
    const clip = await owner.req('GET', `/api/clips/${r.body.clipId}`);
    expect(clip.body.cloudVerdict).toMatchObject({ state: 'anomalous', version: 'test-rms-1' });
    expect(clip.body.rescore.status).toBe('done');
    const audio = await fetch(`${s.url}/api/clips/${r.body.clipId}/audio`, { headers: { cookie: owner.cookieHeader() } });
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect((await audio.arrayBuffer()).byteLength).toBe(44 + 32000);
    const spec = await owner.req('GET', `/api/clips/${r.body.clipId}/spectrogram`);
    expect(spec.body.nMels).toBe(64);
    expect(spec.body.data).toHaveLength(spec.body.frames * 64);
    sse.close();
  });

  it('rejects corrupt, empty, too long and wrong-rate clips at upload and leaves no job', async () => {
    const before = (await s.ctx.db.select().from(rescoreJobs)).length;
    const base = { v: 1, deviceId: dev.id, bootId: '0123abcd', t: 1, edgeScore: 1, sampleRate: 16000, encoding: 'pcm16' };
    const cases = [
      { ...base, seq: 900, samples: 16000, audio: Buffer.alloc(100).toString('base64') },
      { ...base, seq: 901, samples: 0, audio: '' },
      { ...base, seq: 902, samples: 170_000, audio: 'AAAA' },
      { ...base, seq: 903, sampleRate: 44100, samples: 2, audio: 'AAAAAA==' },
      { ...base, seq: 904, encoding: 'mp3', samples: 2, audio: 'AAAAAA==' },
      { ...base, seq: 905, samples: 2, audio: '!!!not base64' },
    ];
    for (const body of cases) {
      const r = await call(s.url, 'POST', '/api/v1/device/clips', { token: dev.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(r.body.error.message.length).toBeGreaterThan(10);
    }
    expect((await s.ctx.db.select().from(rescoreJobs)).length).toBe(before);
  });

  it('a clip whose file vanished from DATA_DIR answers 410, not 500', async () => {
    const r = await upload(0.07);
    await s.ctx.rescore.whenIdle();
    const [row] = await s.ctx.db.select().from(clips).where(eq(clips.id, r.body.clipId));
    await rm(s.ctx.clips.pathFor(row.sha256));
    const res = await owner.req('GET', `/api/clips/${r.body.clipId}/audio`);
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('clip_audio_missing');
  });

  it('labels are stored (technician and up) and exported for training', async () => {
    const r = await upload(0.05);
    await s.ctx.rescore.whenIdle();
    const inv = await owner.req('POST', '/api/org/invitations', { email: 'v@rs.example', role: 'viewer' });
    const viewer = await UserClient.signup(s.url, 'v@rs.example', { inviteToken: inv.body.token });
    expect((await viewer.req('POST', `/api/clips/${r.body.clipId}/labels`, { label: 'normal' })).status).toBe(403);
    expect((await owner.req('POST', `/api/clips/${r.body.clipId}/labels`, { label: 'not-a-fault' })).status).toBe(422);
    expect(
      (await owner.req('POST', `/api/clips/${r.body.clipId}/labels`, { label: 'false-alarm', note: '문 닫는 소리' })).status,
    ).toBe(201);
    expect((await owner.req('POST', `/api/clips/${r.body.clipId}/labels`, { label: 'valve-leak' })).status).toBe(201);
    const ex = await owner.req('GET', '/api/labels/export');
    const entry = ex.body.find((e: any) => e.clipId === r.body.clipId);
    expect(entry.label).toBe('valve-leak');
    expect(entry.audioUrl).toContain(`/api/clips/${r.body.clipId}/audio`);
    const clip = await owner.req('GET', `/api/clips/${r.body.clipId}`);
    expect(clip.body.labels.map((l: any) => l.label)).toEqual(['false-alarm', 'valve-leak']);

    // the training CLI reads the export through a signed link, without a session
    const link = await owner.req('GET', '/api/labels/export-link');
    expect((await fetch(link.body.url)).status).toBe(200);
    const labels = await readTechnicianLabels(link.body.url);
    expect(labels.faults.map((f) => f.label)).toEqual(['valve-leak']);
    expect(labels.faults[0].pcm.length).toBe(16000);
    const tampered = link.body.url.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await fetch(tampered)).status).toBe(401);
    const otherOrg = link.body.url.replace(/org=[^&]+/, 'org=org_someoneelse');
    expect((await fetch(otherOrg)).status).toBe(401);
    expect((await fetch(`${s.url}/api/clips/${r.body.clipId}/audio`)).status).toBe(401);
    const realNow = s.ctx.now;
    s.ctx.now = () => realNow() + 25 * 3600_000;
    try {
      expect((await fetch(link.body.url)).status).toBe(401);
    } finally {
      s.ctx.now = realNow;
    }
    // scripts may also send the session as a bearer token
    const session = owner.cookies.get('sc_session')!;
    const viaBearer = await fetch(`${s.url}/api/labels/export`, { headers: { authorization: `Bearer ${session}` } });
    expect(viaBearer.status).toBe(200);
  });
});

describe('re-scoring queue across restarts and without an ensemble', () => {
  it("marks jobs 'no-ensemble' when there is none, and a restart re-queues in-flight jobs", async () => {
    const missing = async (): Promise<Ensemble> => {
      throw new Error('cannot read models/ensemble/ensemble.json');
    };
    const a = await startTestServer({}, { ensembleLoader: missing });
    const dir = a.dir;
    const d = await a.addDevice();
    const body = clipMessage(d.deviceId, 1, 0.3);
    const r = await call(a.url, 'POST', '/api/v1/device/clips', { token: d.token, body });
    await a.ctx.rescore.whenIdle();
    const [job] = await a.ctx.db.select().from(rescoreJobs).where(eq(rescoreJobs.clipId, r.body.clipId));
    expect(job.status).toBe('no-ensemble');
    expect(job.error).toMatch(/no ensemble/);
    // simulate a crash mid-job
    await a.ctx.db.update(rescoreJobs).set({ status: 'running' }).where(eq(rescoreJobs.id, job.id));
    await a.close();
    const b = await startTestServer(
      { DATABASE_URL: `file:${path.join(dir, 'test.db')}` },
      { dir, ensembleLoader: async () => levelEnsemble },
    );
    try {
      await b.ctx.rescore.whenIdle();
      const [after] = await b.ctx.db.select().from(rescoreJobs).where(eq(rescoreJobs.id, job.id));
      expect(after.status).toBe('done');
    } finally {
      await b.dispose();
    }
  });

  const ensembleDir = path.join(REPO_ROOT, 'models', 'ensemble');
  it.skipIf(!existsSync(path.join(ensembleDir, 'ensemble.json')))('re-scores with the committed ensemble', async () => {
    const s = await startTestServer({ ENSEMBLE_DIR: ensembleDir });
    try {
      const d = await s.addDevice();
      const body = clipMessage(d.deviceId, 1, 0.2, 2);
      const r = await call(s.url, 'POST', '/api/v1/device/clips', { token: d.token, body });
      await s.ctx.rescore.whenIdle();
      const [job] = await s.ctx.db.select().from(rescoreJobs).where(eq(rescoreJobs.clipId, r.body.clipId));
      expect(job.status).toBe('done');
    } finally {
      await s.dispose();
    }
  });
});
