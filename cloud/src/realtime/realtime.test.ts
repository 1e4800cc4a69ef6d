import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { events } from '../db/schema.ts';
import { call, startTestServer, type TestServer, UserClient } from '../testing/harness.ts';
import { SseClient } from '../testing/sse-client.ts';

const SHA = 'c'.repeat(64);

describe('realtime SSE and the alarm lifecycle through the API', () => {
  let s: TestServer;
  let owner: UserClient;
  let viewer: UserClient;
  let other: UserClient;
  let dev: { id: string; machineId: string; token: string };
  let seq = 0;
  const post = (score: number, state: string, t: number) =>
    call(s.url, 'POST', '/api/v1/device/verdicts', {
      token: dev.token,
      body: {
        v: 1,
        deviceId: dev.id,
        bootId: 'feedface',
        seq: ++seq,
        modelSha256: SHA,
        windows: [{ t, score, state, levelDb: -30 }],
      },
    });

  beforeAll(async () => {
    s = await startTestServer();
    owner = await UserClient.signup(s.url, 'owner@rt.example');
    other = await UserClient.signup(s.url, 'other@rt.example');
    const inv = await owner.req('POST', '/api/org/invitations', { email: 'viewer@rt.example', role: 'viewer' });
    viewer = await UserClient.signup(s.url, 'viewer@rt.example', { inviteToken: inv.body.token });
    const r = await owner.req('POST', '/api/devices', { name: 'RT', siteName: 'S', machineName: 'M', compressorType: 'scroll' });
    dev = { id: r.body.device.id, machineId: r.body.device.machineId, token: r.body.provisioningToken };
  });
  afterAll(() => s.dispose());

  it('needs a session', async () => {
    const anon = await new SseClient(`${s.url}/api/notifications/stream`).open();
    expect(anon.status).toBe(401);
  });

  it('delivers verdicts and alarms to the org only, and resumes after Last-Event-ID', async () => {
    const mine = await new SseClient(`${s.url}/api/notifications/stream`, { cookie: owner.cookieHeader() }).open();
    const theirs = await new SseClient(`${s.url}/api/notifications/stream`, { cookie: other.cookieHeader() }).open();
    const t0 = Date.now() - 60_000;
    expect((await post(0.2, 'normal', t0)).status).toBe(200);
    const v = await mine.waitFor((e) => e.event === 'verdict');
    expect(v.data.deviceId).toBe(dev.id);
    expect(v.id).toMatch(/^\d+$/);
    // the first batch also brings the device online
    await mine.waitFor((e) => e.event === 'device-status' && e.data.status === 'online');

    // three windows far over threshold open an alarm (default rules: 3 consecutive)
    for (let i = 1; i <= 3; i++) await post(3, 'alarm', t0 + i * 5000);
    const opened = await mine.waitFor((e) => e.event === 'alarm' && e.data.kind === 'opened');
    expect(opened.data.alarm).toMatchObject({ type: 'edge-anomaly', status: 'active', deviceId: dev.id });
    const alarmId = opened.data.alarm.id;

    // a client that dropped after the first verdict gets everything since, in order, once
    const firstId = Number(v.id);
    const resumed = await new SseClient(`${s.url}/api/notifications/stream`, {
      cookie: owner.cookieHeader(),
      'last-event-id': String(firstId),
    }).open();
    await resumed.waitFor((e) => e.event === 'alarm' && e.data.kind === 'opened');
    const ids = resumed.events.filter((e) => e.id).map((e) => Number(e.id));
    expect(ids[0]).toBeGreaterThan(firstId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    resumed.close();

    // lifecycle through the API; a viewer may look but not touch
    expect((await viewer.req('POST', `/api/alarms/${alarmId}/ack`)).status).toBe(403);
    expect((await other.req('POST', `/api/alarms/${alarmId}/ack`)).status).toBe(404);
    expect((await other.req('GET', `/api/alarms/${alarmId}`)).status).toBe(404);
    const open = await viewer.req('GET', '/api/alarms?status=open');
    expect(open.body.map((a: any) => a.id)).toContain(alarmId);
    expect(open.body[0].machineName).toBe('M');
    const acked = await owner.req('POST', `/api/alarms/${alarmId}/ack`);
    expect(acked.body.acknowledged).toBe(true);
    expect((await owner.req('POST', `/api/alarms/${alarmId}/assign`, { userId: viewer.user.id })).body.assigneeId).toBe(
      viewer.user.id,
    );
    expect((await owner.req('POST', `/api/alarms/${alarmId}/assign`, { userId: other.user.id })).status).toBe(422);
    expect((await owner.req('POST', `/api/alarms/${alarmId}/notes`, { text: '  ' })).status).toBe(422);
    expect((await owner.req('POST', `/api/alarms/${alarmId}/notes`, { text: '베어링 소음 확인함' })).status).toBe(201);
    expect((await owner.req('POST', `/api/alarms/${alarmId}/clear`)).body.status).toBe('cleared');
    expect((await owner.req('POST', `/api/alarms/${alarmId}/clear`)).status).toBe(409);
    await mine.waitFor((e) => e.event === 'alarm' && e.data.kind === 'cleared');
    const detail = await owner.req('GET', `/api/alarms/${alarmId}`);
    expect(detail.body.notes[0].text).toBe('베어링 소음 확인함');
    expect(detail.body.events.map((e: any) => e.kind)).toEqual(['opened', 'acknowledged', 'assigned', 'noted', 'cleared']);
    // cleared and acknowledged: no longer open
    expect((await owner.req('GET', '/api/alarms?status=open')).body.map((a: any) => a.id)).not.toContain(alarmId);

    expect(theirs.events.filter((e) => e.event !== 'ready')).toEqual([]);
    mine.close();
    theirs.close();
  });

  it('marks a silent device offline and tells the stream', async () => {
    const mine = await new SseClient(`${s.url}/api/notifications/stream`, { cookie: owner.cookieHeader() }).open();
    const realNow = s.ctx.now;
    s.ctx.now = () => realNow() + (s.config.OFFLINE_AFTER_S + 5) * 1000;
    try {
      expect(await s.ctx.pipeline.sweepOffline()).toBe(1);
    } finally {
      s.ctx.now = realNow;
    }
    const ev = await mine.waitFor((e) => e.event === 'device-status' && e.data.status === 'offline');
    expect(ev.data.deviceId).toBe(dev.id);
    await mine.waitFor((e) => e.event === 'alarm' && e.data.alarm.type === 'offline');
    const fleet = await owner.req('GET', '/api/fleet');
    expect(fleet.body[0].openAlarms).toBeGreaterThanOrEqual(1);
    mine.close();
  });
});

describe('resume after a long absence', () => {
  it('replays more than one page of missed events, in order, without gaps', async () => {
    const s = await startTestServer();
    try {
      const owner = await UserClient.signup(s.url, 'pages@example.com');
      const first = await s.ctx.bus.publish(owner.user.orgId, 'device-status', { n: 0 });
      for (let i = 1; i <= 1200; i++) await s.ctx.bus.publish(owner.user.orgId, 'device-status', { n: i });
      const sse = await new SseClient(`${s.url}/api/notifications/stream`, {
        cookie: owner.cookieHeader(),
        'last-event-id': String(first.id),
      }).open();
      await sse.waitFor((e) => e.data?.n === 1200, 10_000);
      const ns = sse.events.filter((e) => e.event === 'device-status').map((e) => e.data.n);
      expect(ns).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
      sse.close();
    } finally {
      await s.dispose();
    }
  });
});

describe('graceful shutdown', () => {
  it('ends open SSE streams and finishes the work behind an acknowledged write before closing the db', async () => {
    const s = await startTestServer({ DEVICE_RATE_BURST: 100 });
    const owner = await UserClient.signup(s.url, 'shutdown@example.com');
    const d = await owner.req('POST', '/api/devices', { name: 'G', siteName: 'S', machineName: 'M', compressorType: 'scroll' });
    const sse = await new SseClient(`${s.url}/api/notifications/stream`, { cookie: owner.cookieHeader() }).open();
    const r = await call(s.url, 'POST', '/api/v1/device/verdicts', {
      token: d.body.provisioningToken,
      body: {
        v: 1,
        deviceId: d.body.device.id,
        bootId: 'abcdef99',
        seq: 1,
        modelSha256: 'a'.repeat(64),
        windows: [{ t: Date.now(), score: 0.2, state: 'normal', levelDb: -40 }],
      },
    });
    expect(r.status).toBe(200);
    await s.close(); // immediately after the ack: the verdict's SSE event and alarm rules still run
    await sse.waitFor(() => false, 3000).catch((err) => expect(String(err)).toMatch(/stream ended/));
    expect(sse.ended).toBe(true);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    const db = await openDatabase(s.config.DATABASE_URL);
    try {
      const rows = await db.db.select().from(events).where(eq(events.type, 'verdict'));
      expect(rows).toHaveLength(1);
    } finally {
      db.close();
      await s.dispose();
    }
  });
});
