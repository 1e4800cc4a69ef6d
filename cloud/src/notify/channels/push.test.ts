import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMessage, sampleRecipient } from '../testing/fixtures.ts';
import { closedPortUrl } from '../testing/http-server.ts';
import { startPushService } from '../testing/push-service.ts';
import { createPushChannel, generateVapidKeys, type PushPayload } from './push.ts';

let svc: Awaited<ReturnType<typeof startPushService>>;
const vapid = { ...generateVapidKeys(), subject: 'mailto:ops@signalcraft.test' };
beforeAll(async () => {
  svc = await startPushService();
});
afterAll(() => svc.close());

describe('web push channel (VAPID → web-push-testing service)', () => {
  it('generates usable VAPID keys', () => {
    const k = generateVapidKeys();
    expect(Buffer.from(k.publicKey, 'base64url')).toHaveLength(65); // uncompressed P-256 point
    expect(Buffer.from(k.privateKey, 'base64url')).toHaveLength(32);
    expect(generateVapidKeys().publicKey).not.toBe(k.publicKey);
  });

  it('delivers an encrypted payload the subscriber can decrypt', async () => {
    const sub = await svc.subscribe(vapid.publicKey);
    const r = sampleRecipient({ pushSubscriptions: [sub] });
    const ch = createPushChannel({ vapid });
    expect(ch.targets(r)).toEqual([sub.endpoint]);
    const res = await ch.send(r, sub.endpoint, sampleMessage('ko'));
    expect(res).toMatchObject({ ok: true, httpStatus: 201 });
    const got = svc.received(sub.endpoint).map((s) => JSON.parse(s) as PushPayload);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      title: '[긴급] 1번 냉동 압축기: 압축기 이상 소음',
      url: 'http://127.0.0.1:8787/app/alarms/alarm-0001',
      alarmId: 'alarm-0001',
      severity: 'critical',
      tag: 'alarm-alarm-0001',
      requireInteraction: true,
    });
    expect(got[0].body).toContain('베어링 마모');
  });

  it('is rejected by the push service when signed with the wrong VAPID key', async () => {
    const sub = await svc.subscribe(vapid.publicKey);
    const ch = createPushChannel({ vapid: { ...generateVapidKeys(), subject: vapid.subject } });
    const res = await ch.send(sampleRecipient({ pushSubscriptions: [sub] }), sub.endpoint, sampleMessage('en'));
    expect(res).toMatchObject({ ok: false, permanent: true, httpStatus: 400 });
    expect(svc.received(sub.endpoint)).toEqual([]);
  });

  it('reports an expired subscription (410) so the caller can delete it', async () => {
    const sub = await svc.subscribe(vapid.publicKey);
    svc.expire(sub.endpoint);
    const res = await createPushChannel({ vapid }).send(
      sampleRecipient({ pushSubscriptions: [sub] }),
      sub.endpoint,
      sampleMessage('en'),
    );
    expect(res).toMatchObject({ ok: false, permanent: true, expiredSubscription: true, httpStatus: 410 });
  });

  it('asks for a retry on 503 and 429, honouring Retry-After', async () => {
    const sub = await svc.subscribe(vapid.publicKey);
    const ch = createPushChannel({ vapid });
    const r = sampleRecipient({ pushSubscriptions: [sub] });
    svc.script.push(503);
    expect(await ch.send(r, sub.endpoint, sampleMessage('en'))).toMatchObject({ ok: false, httpStatus: 503, retryAfterMs: 1000 });
    expect((await ch.send(r, sub.endpoint, sampleMessage('en'))).ok).toBe(true);
  });

  it('treats a malformed subscription as permanently dead and a network failure as transient', async () => {
    const bad = { endpoint: 'http://127.0.0.1:1/x', keys: { p256dh: 'short', auth: 'x' } };
    const ch = createPushChannel({ vapid, timeoutMs: 2000 });
    expect(await ch.send(sampleRecipient({ pushSubscriptions: [bad] }), bad.endpoint, sampleMessage('en'))).toMatchObject({
      ok: false,
      permanent: true,
      expiredSubscription: true,
    });
    const sub = await svc.subscribe(vapid.publicKey);
    const unreachable = { ...sub, endpoint: `${await closedPortUrl()}/notify/x` };
    const res = await ch.send(sampleRecipient({ pushSubscriptions: [unreachable] }), unreachable.endpoint, sampleMessage('en'));
    expect(res.ok).toBe(false);
    expect(res.permanent).toBeFalsy();
    expect(res.error).toMatch(/ECONNREFUSED/);
  });
});
