import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarms, dataLoss, devices, verdictRollups, verdictWindows } from '../db/schema.ts';
import { REPO_ROOT } from '../models/registry.ts';
import { encodeImaAdpcm } from '../protocol/adpcm.ts';
import { call, startTestServer, type TestServer, UserClient } from '../testing/harness.ts';

const SHA = 'a'.repeat(64);
const BOOT = 'deadbeef01';

function batch(deviceId: string, seq: number, t0 = Date.now(), n = 3, bootId = BOOT) {
  return {
    v: 1,
    deviceId,
    bootId,
    seq,
    modelSha256: SHA,
    windows: Array.from({ length: n }, (_, i) => ({ t: t0 + i * 5000, score: 0.3 + i * 0.1, state: 'normal', levelDb: -40 })),
  };
}

describe('device API (contract E)', () => {
  let s: TestServer;
  let dev: Awaited<ReturnType<TestServer['addDevice']>>;
  beforeAll(async () => {
    s = await startTestServer({ DEVICE_RATE_BURST: 1000 });
    dev = await s.addDevice();
  });
  afterAll(() => s.dispose());

  it('health checks the database', async () => {
    const r = await call(s.url, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body.db).toBe('ok');
  });

  it('stores a batch and acks; a replay changes nothing and gets the same ack', async () => {
    const b = batch(dev.deviceId, 1, Date.UTC(2026, 0, 1, 10, 0, 0));
    const first = await call(s.url, 'POST', '/api/v1/device/verdicts', { token: dev.token, body: b });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true, ack: { bootId: BOOT, seq: 1 }, duplicate: false });
    const again = await call(s.url, 'POST', '/api/v1/device/verdicts', { token: dev.token, body: b });
    expect(again.status).toBe(200);
    expect(again.body.ack).toEqual(first.body.ack);
    expect(again.body.duplicate).toBe(true);
    const rows = await s.ctx.db.select().from(verdictWindows).where(eq(verdictWindows.deviceId, dev.deviceId));
    expect(rows).toHaveLength(3);
    const minute = await s.ctx.db
      .select()
      .from(verdictRollups)
      .where(and(eq(verdictRollups.machineId, dev.machineId), eq(verdictRollups.res, 'minute')));
    expect(minute).toHaveLength(1);
    expect(minute[0].n).toBe(3);
    expect(minute[0].max).toBeCloseTo(0.5);
    const [d] = await s.ctx.db.select().from(devices).where(eq(devices.id, dev.deviceId));
    expect(d.lastScore).toBeCloseTo(0.5);
    expect(d.lastSeen).toBeGreaterThan(0);
  });

  it('records a sequence gap as data loss and shrinks it when a late message arrives', async () => {
    const t = Date.UTC(2026, 0, 1, 11);
    await call(s.url, 'POST', '/api/v1/device/verdicts', { token: dev.token, body: batch(dev.deviceId, 5, t) });
    let gaps = await s.ctx.db.select().from(dataLoss).where(eq(dataLoss.deviceId, dev.deviceId));
    expect(gaps.map((g) => [g.fromSeq, g.toSeq])).toEqual([[2, 4]]);
    await call(s.url, 'POST', '/api/v1/device/verdicts', { token: dev.token, body: batch(dev.deviceId, 3, t) });
    gaps = await s.ctx.db.select().from(dataLoss).where(eq(dataLoss.deviceId, dev.deviceId));
    expect(gaps.map((g) => [g.fromSeq, g.toSeq]).sort()).toEqual([
      [2, 2],
      [4, 4],
    ]);
    // a new boot starts its own counter: no gap against the old boot
    await call(s.url, 'POST', '/api/v1/device/verdicts', { token: dev.token, body: batch(dev.deviceId, 1, t, 1, 'cafef00d02') });
    gaps = await s.ctx.db.select().from(dataLoss).where(eq(dataLoss.deviceId, dev.deviceId));
    expect(gaps).toHaveLength(2);
  });

  it('a heartbeat with an empty outbox reveals messages the device dropped', async () => {
    const d = await s.addDevice(dev.orgId);
    await call(s.url, 'POST', '/api/v1/device/verdicts', { token: d.token, body: batch(d.deviceId, 1) });
    const hb = { v: 1, deviceId: d.deviceId, bootId: BOOT, seq: 4, uptimeS: 60, firmware: '0.1.0', modelSha256: SHA, lastSeq: 4 };
    // still in the outbox: not lost
    await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: d.token, body: { ...hb, outboxDepth: 3 } });
    expect(await s.ctx.db.select().from(dataLoss).where(eq(dataLoss.deviceId, d.deviceId))).toHaveLength(0);
    await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: d.token, body: { ...hb, outboxDepth: 0 } });
    await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: d.token, body: { ...hb, outboxDepth: 0 } });
    const gaps = await s.ctx.db.select().from(dataLoss).where(eq(dataLoss.deviceId, d.deviceId));
    expect(gaps.map((g) => [g.fromSeq, g.toSeq])).toEqual([[2, 4]]);
  });

  it('corrects a device clock that is far off using sentAt', async () => {
    const d2 = await s.addDevice(dev.orgId);
    const b = { ...batch(d2.deviceId, 1, 1000, 1), sentAt: 2000 };
    const r = await call(s.url, 'POST', '/api/v1/device/verdicts', { token: d2.token, body: b });
    expect(r.status).toBe(200);
    const [w] = await s.ctx.db.select().from(verdictWindows).where(eq(verdictWindows.deviceId, d2.deviceId));
    expect(Math.abs(w.t - (r.body.serverTime - 1000))).toBeLessThan(5);
  });

  it('accepts pcm16 and ima-adpcm clips, dedupes a replay to the same clipId', async () => {
    const pcm = new Int16Array(16000).map((_, i) => Math.round(6000 * Math.sin(i / 7)));
    const base = { v: 1, deviceId: dev.deviceId, bootId: BOOT, t: Date.now(), edgeScore: 0.8, sampleRate: 16000 };
    const a = await call(s.url, 'POST', '/api/v1/device/clips', {
      token: dev.token,
      body: { ...base, seq: 6, encoding: 'pcm16', samples: pcm.length, audio: Buffer.from(pcm.buffer).toString('base64') },
    });
    expect(a.status).toBe(200);
    expect(a.body.clipId).toMatch(/^clp_/);
    const body = {
      ...base,
      seq: 7,
      encoding: 'ima-adpcm',
      samples: pcm.length,
      audio: Buffer.from(encodeImaAdpcm(pcm)).toString('base64'),
    };
    const b = await call(s.url, 'POST', '/api/v1/device/clips', { token: dev.token, body });
    const b2 = await call(s.url, 'POST', '/api/v1/device/clips', { token: dev.token, body });
    expect(b2.body.duplicate).toBe(true);
    expect(b2.body.clipId).toBe(b.body.clipId);
  });

  it('answers each bad-input class with the right 4xx and a reason', async () => {
    const post = (opts: Parameters<typeof call>[3]) => call(s.url, 'POST', '/api/v1/device/verdicts', opts);
    const good = batch(dev.deviceId, 50);
    expect(
      (await post({ token: dev.token, raw: '{"v":1,', headers: { 'content-type': 'application/json' } })).body.error.code,
    ).toBe('malformed_json');
    const wrongType = await post({ token: dev.token, body: { ...good, windows: [{ ...good.windows[0], score: 'high' }] } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.issues[0].path).toBe('windows.0.score');
    const big = await post({ token: dev.token, raw: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    const text = await post({ token: dev.token, raw: JSON.stringify(good), headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((await post({ token: 'nope', body: good })).status).toBe(401);
    expect((await post({ body: good })).status).toBe(401);
    const other = await s.addDevice(dev.orgId);
    const mismatch = await post({ token: other.token, body: good });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error.code).toBe('device_mismatch');
    const badClip = await call(s.url, 'POST', '/api/v1/device/clips', {
      token: dev.token,
      body: {
        v: 1,
        deviceId: dev.deviceId,
        bootId: BOOT,
        seq: 60,
        t: 1,
        edgeScore: 1,
        sampleRate: 16000,
        encoding: 'pcm16',
        samples: 100,
        audio: 'AAAA',
      },
    });
    expect(badClip.status).toBe(422);
    expect(badClip.body.error.code).toBe('bad_audio');
    const wrongRate = await call(s.url, 'POST', '/api/v1/device/clips', {
      token: dev.token,
      body: {
        v: 1,
        deviceId: dev.deviceId,
        bootId: BOOT,
        seq: 61,
        t: 1,
        edgeScore: 1,
        sampleRate: 8000,
        encoding: 'pcm16',
        samples: 2,
        audio: 'AAAAAA==',
      },
    });
    expect(wrongRate.status).toBe(422);
    // none of these consumed a sequence number
    const ok = await post({ token: dev.token, body: good });
    expect(ok.body.duplicate).toBe(false);
  });

  it('refuses a decommissioned device token with 401 revoked', async () => {
    const d = await s.addDevice(dev.orgId);
    await s.ctx.db.update(devices).set({ status: 'decommissioned' }).where(eq(devices.id, d.deviceId));
    const r = await call(s.url, 'POST', '/api/v1/device/verdicts', { token: d.token, body: batch(d.deviceId, 1) });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('revoked');
  });

  it('heartbeat updates status and returns config; config and model routes answer', async () => {
    const hb = {
      v: 1,
      deviceId: dev.deviceId,
      bootId: BOOT,
      seq: 7,
      uptimeS: 60,
      firmware: '0.1.0',
      modelSha256: SHA,
      rssi: -60,
      lastSeq: 7,
    };
    const r = await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: dev.token, body: hb });
    expect(r.status).toBe(200);
    expect(r.body.config.thresholds.alert).toBeGreaterThan(0);
    const [d] = await s.ctx.db.select().from(devices).where(eq(devices.id, dev.deviceId));
    expect(d.firmware).toBe('0.1.0');
    expect((await call(s.url, 'GET', '/api/v1/device/config', { token: dev.token })).body.cadenceS).toBe(10);
    expect((await call(s.url, 'GET', `/api/v1/device/models/${SHA}`, { token: dev.token })).status).toBe(404);
    expect((await call(s.url, 'GET', '/api/v1/device/models/xyz', { token: dev.token })).status).toBe(400);
  });
});

describe("a device's own thresholds (edge decides)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DEVICE_RATE_BURST: 1000 });
  });
  afterAll(() => s.dispose());

  const loud = (deviceId: string) => ({
    ...batch(deviceId, 1, Date.UTC(2026, 0, 2, 9), 6),
    windows: Array.from({ length: 6 }, (_, i) => ({
      t: Date.UTC(2026, 0, 2, 9) + i * 1000,
      score: 1.4,
      state: 'normal',
      levelDb: -30,
    })),
  });

  it('judges a machine by the thresholds its device reports, not the factory card', async () => {
    const calibrated = await s.addDevice();
    const factory = await s.addDevice(calibrated.orgId, { machineName: 'Compressor 2' });
    const hb = {
      v: 1,
      deviceId: calibrated.deviceId,
      bootId: BOOT,
      seq: 0,
      uptimeS: 600,
      firmware: '0.1.0',
      modelSha256: SHA,
      lastSeq: 0,
      thresholds: { alert: 2, borderlineLow: 1.6, learned: true },
    };
    const r = await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: calibrated.token, body: hb });
    expect(r.status).toBe(200);
    expect(r.body.config.thresholds).toEqual({ alert: 2, borderlineLow: 1.6 });

    for (const d of [calibrated, factory]) {
      expect((await call(s.url, 'POST', '/api/v1/device/verdicts', { token: d.token, body: loud(d.deviceId) })).status).toBe(200);
    }
    await s.settle();
    const open = await s.ctx.db.select().from(alarms);
    // 1.4 is far over the factory threshold but inside this machine's own normal range
    expect(open.map((a) => a.deviceId)).toEqual([factory.deviceId]);
  });

  it('rejects thresholds that make no sense', async () => {
    const d = await s.addDevice();
    const base = {
      v: 1,
      deviceId: d.deviceId,
      bootId: BOOT,
      seq: 0,
      uptimeS: 1,
      firmware: '0.1.0',
      modelSha256: SHA,
      lastSeq: 0,
    };
    for (const thresholds of [
      { alert: 0, borderlineLow: 0, learned: true },
      { alert: 1, borderlineLow: 2, learned: false },
      { alert: 1, borderlineLow: 0.5 },
    ]) {
      const r = await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: d.token, body: { ...base, thresholds } });
      expect(r.status, JSON.stringify(thresholds)).toBe(422);
    }
  });
});

describe('device config with the committed model', () => {
  const modelDir = path.join(REPO_ROOT, 'models', 'default');
  it.skipIf(!existsSync(path.join(modelDir, 'card.json')))('serves the card thresholds and the .tflite by sha256', async () => {
    const s = await startTestServer({ MODEL_DIR: modelDir });
    try {
      const d = await s.addDevice();
      const cfg = await call(s.url, 'GET', '/api/v1/device/config', { token: d.token });
      const card = JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8'));
      expect(cfg.body.thresholds).toEqual({ alert: card.thresholds.alert, borderlineLow: card.thresholds.borderlineLow });
      expect(cfg.body.model.sha256).toBe(card.sha256);
      const res = await fetch(cfg.body.model.url, { headers: { authorization: `Bearer ${d.token}` } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.sha256);
      // the dashboard sees whether each device runs the served model
      const owner = await UserClient.signup(s.url, 'ota@example.com');
      const made = await owner.req('POST', '/api/devices', {
        name: 'O',
        siteName: 'S',
        machineName: 'M',
        compressorType: 'scroll',
      });
      const tok = made.body.provisioningToken;
      const hb = { v: 1, deviceId: made.body.device.id, bootId: BOOT, seq: 0, uptimeS: 1, firmware: '0.1.0', lastSeq: 0 };
      await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: tok, body: { ...hb, modelSha256: 'b'.repeat(64) } });
      expect((await owner.req('GET', '/api/devices')).body[0].modelUpToDate).toBe(false);
      await call(s.url, 'POST', '/api/v1/device/heartbeat', { token: tok, body: { ...hb, modelSha256: card.sha256 } });
      expect((await owner.req('GET', '/api/devices')).body[0].modelUpToDate).toBe(true);
    } finally {
      await s.dispose();
    }
  });
});

describe('device rate limit', () => {
  it('answers 429 with Retry-After once the bucket is empty', async () => {
    const s = await startTestServer({ DEVICE_RATE_BURST: 3, DEVICE_RATE_PER_S: 0.5 });
    try {
      const d = await s.addDevice();
      const statuses: number[] = [];
      let retry: string | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await call(s.url, 'GET', '/api/v1/device/config', { token: d.token });
        statuses.push(r.status);
        if (r.status === 429) retry = r.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retry)).toBeGreaterThanOrEqual(1);
    } finally {
      await s.dispose();
    }
  });
});
