import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAlarmStore } from '../alarms/memory-store.ts';
import { AlarmEngine } from '../alarms/rules.ts';
import type { EdgeWindowEvent, Transition } from '../alarms/types.ts';
import { createEmailChannel } from './channels/email.ts';
import { createKakaoChannel } from './channels/kakao.ts';
import { createPushChannel, generateVapidKeys, type PushPayload } from './channels/push.ts';
import { createSmsChannel, TwilioSmsProvider } from './channels/sms.ts';
import { backoffDelay, DEFAULT_RETRY, NotificationDispatcher } from './dispatcher.ts';
import { MemoryDeliveryStore, MemoryRecipientDirectory } from './memory-store.ts';
import { sampleDevice } from './testing/fixtures.ts';
import { startKakaoServer } from './testing/kakao-server.ts';
import { startPushService } from './testing/push-service.ts';
import { startSmtpServer } from './testing/smtp-server.ts';
import { startTwilioServer, TWILIO_INVALID_NUMBER, TWILIO_TEST_SID, TWILIO_TEST_TOKEN } from './testing/twilio-server.ts';
import type { Recipient, WebPushSubscription } from './types.ts';

const MIN = 60_000;
/** 14:00 in Seoul: outside everyone's quiet hours. */
const T0 = Date.UTC(2026, 10, 29, 5, 0);
/** 02:00 in Seoul: inside 22:00–07:00. */
const NIGHT = Date.UTC(2026, 10, 29, 17, 0);

const vapid = { ...generateVapidKeys(), subject: 'mailto:ops@signalcraft.test' };
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let push: Awaited<ReturnType<typeof startPushService>>;
let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
let kakao: Awaited<ReturnType<typeof startKakaoServer>>;
let email: ReturnType<typeof createEmailChannel>;

beforeAll(async () => {
  [smtp, push, twilio, kakao] = await Promise.all([
    startSmtpServer({ user: 'mailer', pass: 'pw' }),
    startPushService(),
    startTwilioServer(),
    startKakaoServer({ validTokens: ['tok-kim'] }),
  ]);
  email = createEmailChannel({ smtpUrl: smtp.url, from: 'Signalcraft <alerts@signalcraft.test>' });
});
afterAll(async () => {
  email.close();
  await Promise.all([smtp.close(), push.close(), twilio.close(), kakao.close()]);
});

let alarms: MemoryAlarmStore;
let deliveries: MemoryDeliveryStore;
let directory: MemoryRecipientDirectory;
let engine: AlarmEngine;
let kimSub: WebPushSubscription;
let leeSub: WebPushSubscription;

function makeDispatcher(over: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {}) {
  return new NotificationDispatcher({
    deliveries,
    directory,
    channels: {
      email,
      push: createPushChannel({ vapid }),
      sms: createSmsChannel(
        new TwilioSmsProvider({
          accountSid: TWILIO_TEST_SID,
          authToken: TWILIO_TEST_TOKEN,
          from: '+15005550006',
          baseUrl: twilio.url,
        }),
      ),
      kakao: createKakaoChannel({ baseUrl: kakao.url }),
    },
    alarmUrl: (a) => `http://127.0.0.1:8787/app/alarms/${a.id}`,
    random: () => 0.5, // jitter term = 0: delays are exact
    ...over,
  });
}

function user(id: string, over: Partial<Recipient>): Recipient {
  return {
    userId: id,
    locale: 'en',
    pushSubscriptions: [],
    preferences: { locale: 'en', channels: { email: false, sms: false, kakao: false, push: false }, quietHours: null },
    ...over,
  };
}

beforeEach(async () => {
  alarms = new MemoryAlarmStore();
  deliveries = new MemoryDeliveryStore();
  directory = new MemoryRecipientDirectory();
  engine = new AlarmEngine(alarms);
  kimSub = await push.subscribe(vapid.publicKey);
  leeSub = await push.subscribe(vapid.publicKey);
  directory.devices.set('dev-1', sampleDevice);
  // Kim: Korean, every channel on.
  directory.add(
    'org-a',
    user('u-kim', {
      locale: 'ko',
      email: 'kim@example.com',
      phone: '+821012345678',
      kakaoAccessToken: 'tok-kim',
      pushSubscriptions: [kimSub],
      preferences: {
        locale: 'ko',
        channels: { email: true, sms: true, kakao: true, push: true },
        phone: '+821012345678',
        quietHours: null,
      },
    }),
  );
  // Lee: English, email + push, quiet at night in Seoul.
  directory.add(
    'org-a',
    user('u-lee', {
      email: 'lee@example.com',
      pushSubscriptions: [leeSub],
      preferences: {
        locale: 'en',
        channels: { email: true, sms: false, kakao: false, push: true },
        quietHours: { start: '22:00', end: '07:00', tz: 'Asia/Seoul' },
      },
    }),
  );
  // Someone in another organisation must hear nothing.
  directory.add(
    'org-b',
    user('u-other', {
      email: 'other@example.com',
      preferences: { locale: 'en', channels: { email: true, sms: false, kakao: false, push: false }, quietHours: null },
    }),
  );
});

const w = (t: number, score: number): EdgeWindowEvent => ({
  orgId: 'org-a',
  deviceId: 'dev-1',
  machineId: 'm-1',
  t,
  score,
  state: score >= 0.5 ? 'alarm' : 'normal',
  threshold: 0.5,
});
const openAlarm = async (t: number, score = 0.6): Promise<Transition> =>
  (await engine.onEdgeWindows([w(t, score), w(t + 10_000, score), w(t + 20_000, score)]))[0];
const byUserChannel = (ds: { userId: string; channel: string; status: string; reason: string | null }[]) =>
  ds.map((d) => `${d.userId}/${d.channel}:${d.status}${d.reason ? `(${d.reason})` : ''}`).sort();

describe('NotificationDispatcher', () => {
  it('full lifecycle: open → every channel delivers → ack → auto-clear → resolved notice', async () => {
    const d = makeDispatcher();
    const mailsBefore = smtp.mails.length;
    const opened = await openAlarm(T0);
    expect(opened.kind).toBe('opened');
    const queued = await d.dispatch(opened, T0 + 20_000);
    expect(byUserChannel(queued)).toEqual([
      'u-kim/email:pending',
      'u-kim/kakao:pending',
      'u-kim/push:pending',
      'u-kim/sms:pending',
      'u-lee/email:pending',
      'u-lee/push:pending',
    ]);
    const summary = await d.processDue(T0 + 21_000);
    expect(summary).toEqual({ claimed: 6, sent: 6, retrying: 0, failed: 0, expiredSubscriptions: 0 });

    // Each local server got the message, in the right language.
    const mails = smtp.mails.slice(mailsBefore);
    expect(mails.map((m) => [m.to[0], m.subject]).sort()).toEqual([
      ['kim@example.com', '[경고] 1번 냉동 압축기: 압축기 이상 소음'],
      ['lee@example.com', '[Warning] 1번 냉동 압축기: abnormal compressor sound'],
    ]);
    expect(twilio.sent.at(-1)!.to).toBe('+821012345678');
    expect(twilio.sent.at(-1)!.body).toContain(`/app/alarms/${opened.alarm.id}`);
    expect(kakao.sent.at(-1)!.template.text).toContain('1번 냉동 압축기에 새 알람이 발생했습니다.');
    const kimPush = push.received(kimSub.endpoint).map((s) => JSON.parse(s) as PushPayload);
    const leePush = push.received(leeSub.endpoint).map((s) => JSON.parse(s) as PushPayload);
    expect(kimPush.map((p) => p.title)).toEqual(['[경고] 1번 냉동 압축기: 압축기 이상 소음']);
    expect(leePush.map((p) => [p.alarmId, p.kind])).toEqual([[opened.alarm.id, 'opened']]);

    // The delivery log records each send with the provider's id.
    const log = await deliveries.listByAlarm(opened.alarm.id);
    expect(log.every((x) => x.status === 'sent' && x.attempts === 1 && x.sentAt === T0 + 21_000)).toBe(true);
    expect(log.find((x) => x.channel === 'sms')!.providerMessageId).toMatch(/^SM/);

    // Acknowledging tells nobody; clearing (after 10 normal minutes) sends a resolved notice.
    const ack = await engine.acknowledge(opened.alarm.id, { userId: 'u-kim' }, T0 + MIN);
    expect(await d.dispatch(ack!, T0 + MIN)).toEqual([]);
    expect(await engine.onEdgeWindows([w(T0 + 2 * MIN, 0.1)])).toEqual([]);
    const [cleared] = await engine.onEdgeWindows([w(T0 + 12 * MIN, 0.1)]);
    expect(cleared.kind).toBe('cleared');
    const resolved = await d.dispatch(cleared, T0 + 12 * MIN);
    expect(resolved).toHaveLength(6);
    expect((await d.processDue(T0 + 12 * MIN)).sent).toBe(6);
    expect(smtp.mails.at(-1)!.subject).toMatch(/^\[(해제|Resolved)\] 1번 냉동 압축기/);
    expect(push.received(kimSub.endpoint)).toHaveLength(2);
    expect((await deliveries.listByAlarm(opened.alarm.id)).filter((x) => x.status === 'sent')).toHaveLength(12);
    expect(smtp.mails.slice(mailsBefore).some((m) => m.to.includes('other@example.com'))).toBe(false);
  });

  it('is idempotent: dispatching the same transition twice queues nothing new', async () => {
    const d = makeDispatcher();
    const t = await openAlarm(T0);
    const a = await d.dispatch(t, T0);
    const b = await d.dispatch(t, T0 + 5_000);
    expect(b.map((x) => x.id)).toEqual(a.map((x) => x.id));
    expect(await deliveries.listByAlarm(t.alarm.id)).toHaveLength(a.length);
  });

  it('quiet hours hold back non-critical alarms, but critical ones still go to push', async () => {
    const d = makeDispatcher();
    const warn = await openAlarm(NIGHT);
    const rows = await d.dispatch(warn, NIGHT);
    expect(byUserChannel(rows.filter((r) => r.userId === 'u-lee'))).toEqual([
      'u-lee/email:suppressed(quiet-hours)',
      'u-lee/push:suppressed(quiet-hours)',
    ]);
    // Kim has no quiet hours.
    expect(rows.filter((r) => r.userId === 'u-kim').every((r) => r.status === 'pending')).toBe(true);

    const [crit] = await engine.onEdgeWindows([w(NIGHT + 30_000, 0.9), w(NIGHT + 40_000, 0.9), w(NIGHT + 50_000, 0.9)]);
    expect(crit).toMatchObject({ kind: 'escalated' });
    expect(crit.alarm.severity).toBe('critical');
    const critRows = await d.dispatch(crit, NIGHT + 50_000);
    expect(byUserChannel(critRows.filter((r) => r.userId === 'u-lee'))).toEqual([
      'u-lee/email:suppressed(quiet-hours)',
      'u-lee/push:pending',
    ]);
    await d.processDue(NIGHT + 50_000);
    const leePush = push.received(leeSub.endpoint).map((s) => JSON.parse(s) as PushPayload);
    expect(leePush.map((p) => [p.severity, p.requireInteraction])).toEqual([['critical', true]]);
  });

  it('cooldown: a flapping alarm re-activated within the cooldown notifies nobody', async () => {
    const d = makeDispatcher();
    const opened = await openAlarm(T0);
    await d.dispatch(opened, T0);
    await d.processDue(T0);
    const [cleared] = await engine.onEdgeWindows([w(T0 + MIN, 0.1), w(T0 + 11 * MIN, 0.1)]);
    expect(cleared.kind).toBe('cleared');
    const reopened = await openAlarm(T0 + 15 * MIN);
    expect(reopened).toMatchObject({ kind: 'reopened', notify: false });
    expect(await d.dispatch(reopened, T0 + 15 * MIN)).toEqual([]);
    const sentBefore = twilio.sent.length;
    await d.processDue(T0 + 15 * MIN);
    expect(twilio.sent.length).toBe(sentBefore);
  });

  it('retries after a 503 with exponential backoff, then succeeds; the log keeps both attempts', async () => {
    const d = makeDispatcher();
    directory.users.get('u-kim')!.preferences.channels = { email: false, sms: false, kakao: true, push: false };
    directory.users.get('u-lee')!.preferences.channels = { email: false, sms: false, kakao: false, push: false };
    const t = await openAlarm(T0);
    const [row] = await d.dispatch(t, T0);
    kakao.script.push(503, 503);
    expect(await d.processDue(T0)).toMatchObject({ retrying: 1, sent: 0 });
    expect((await deliveries.get(row.id))!.nextAttemptAt).toBe(T0 + DEFAULT_RETRY.baseDelayMs);
    expect((await d.processDue(T0 + DEFAULT_RETRY.baseDelayMs - 1)).claimed).toBe(0);
    expect(await d.processDue(T0 + DEFAULT_RETRY.baseDelayMs)).toMatchObject({ retrying: 1 });
    const second = (await deliveries.get(row.id))!;
    expect(second.nextAttemptAt).toBe(T0 + DEFAULT_RETRY.baseDelayMs + 2 * DEFAULT_RETRY.baseDelayMs);
    expect(await d.processDue(second.nextAttemptAt!)).toMatchObject({ sent: 1 });
    const done = (await deliveries.get(row.id))!;
    expect(done).toMatchObject({ status: 'sent', attempts: 3 });
    expect(done.log.map((l) => [l.ok, l.httpStatus])).toEqual([
      [false, 503],
      [false, 503],
      [true, 200],
    ]);
  });

  it('honours Retry-After when it is longer than the backoff, and gives up after maxAttempts', async () => {
    const d = makeDispatcher({ retry: { maxAttempts: 2, baseDelayMs: 100 } });
    directory.users.get('u-kim')!.preferences.channels = { email: false, sms: true, kakao: false, push: false };
    directory.users.get('u-lee')!.preferences.channels = { email: false, sms: false, kakao: false, push: false };
    const t = await openAlarm(T0);
    const [row] = await d.dispatch(t, T0);
    twilio.script.push(429, 500);
    await d.processDue(T0);
    expect((await deliveries.get(row.id))!.nextAttemptAt).toBe(T0 + 2000); // Retry-After: 2 beats 100 ms
    expect(await d.processDue(T0 + 2000)).toMatchObject({ failed: 1 });
    expect(await deliveries.get(row.id)).toMatchObject({ status: 'failed', attempts: 2, reason: 'gave-up-after-2-attempts' });
  });

  it('cleans up an expired push subscription (410) and does not retry it', async () => {
    const d = makeDispatcher();
    push.expire(leeSub.endpoint);
    const t = await openAlarm(T0);
    await d.dispatch(t, T0);
    const s = await d.processDue(T0);
    expect(s).toMatchObject({ sent: 5, failed: 1, expiredSubscriptions: 1 });
    expect(directory.users.get('u-lee')!.pushSubscriptions).toEqual([]);
    const row = (await deliveries.listByAlarm(t.alarm.id)).find((x) => x.userId === 'u-lee' && x.channel === 'push')!;
    expect(row).toMatchObject({ status: 'failed', reason: 'subscription-expired', nextAttemptAt: null });
    expect((await d.processDue(T0 + 24 * 3600_000)).claimed).toBe(0);
  });

  it('a permanent failure (invalid number) is logged once and never retried', async () => {
    const d = makeDispatcher();
    const kim = directory.users.get('u-kim')!;
    kim.preferences.phone = TWILIO_INVALID_NUMBER;
    const t = await openAlarm(T0);
    await d.dispatch(t, T0);
    expect(await d.processDue(T0)).toMatchObject({ sent: 5, failed: 1 });
    const sms = (await deliveries.listByAlarm(t.alarm.id)).find((x) => x.channel === 'sms')!;
    expect(sms).toMatchObject({ status: 'failed', attempts: 1, reason: 'permanent-error', target: TWILIO_INVALID_NUMBER });
    expect(sms.log[0].error).toMatch(/21211/);
    expect((await d.processDue(T0 + 24 * 3600_000)).claimed).toBe(0);
  });

  it('refreshes an expired Kakao token once and delivers; without a refresh it fails for good', async () => {
    const d = makeDispatcher();
    directory.users.get('u-kim')!.kakaoAccessToken = 'tok-expired';
    directory.users.get('u-lee')!.preferences.channels = { email: false, sms: false, kakao: false, push: false };
    const refreshed: string[] = [];
    directory.kakaoRefresher = async (userId) => {
      refreshed.push(userId);
      return 'tok-kim';
    };
    const t = await openAlarm(T0);
    await d.dispatch(t, T0);
    const sentBefore = kakao.sent.length;
    await d.processDue(T0);
    expect(refreshed).toEqual(['u-kim']);
    expect(kakao.sent.length).toBe(sentBefore + 1);
    expect(kakao.sent.at(-1)!.token).toBe('tok-kim');
    expect(directory.users.get('u-kim')!.kakaoAccessToken).toBe('tok-kim'); // persisted for next time
    const row = (await deliveries.listByAlarm(t.alarm.id)).find((x) => x.channel === 'kakao')!;
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });

    // Refresh impossible (no refresh token): permanent, with the reason.
    directory.users.get('u-kim')!.kakaoAccessToken = 'tok-expired';
    directory.kakaoRefresher = async () => null;
    const t2 = await engine.onCloudVerdict({
      orgId: 'org-a',
      deviceId: 'dev-2',
      machineId: 'm-2',
      t: T0,
      clipId: 'c',
      score: 2,
      state: 'anomalous',
      fault: null,
      version: 'v',
    });
    await d.dispatch(t2[0], T0);
    await d.processDue(T0);
    const row2 = (await deliveries.listByAlarm(t2[0].alarm.id)).find((x) => x.channel === 'kakao')!;
    expect(row2).toMatchObject({ status: 'failed', reason: 'permanent-error' });
    expect(row2.log[0].error).toMatch(/sign in with Kakao again/);

    // Kakao's auth server down: retried later, not given up.
    directory.kakaoRefresher = async () => {
      throw new Error('kauth.kakao.com unreachable');
    };
    const t3 = await engine.onCloudVerdict({
      orgId: 'org-a',
      deviceId: 'dev-3',
      machineId: 'm-3',
      t: T0,
      clipId: 'c3',
      score: 2,
      state: 'anomalous',
      fault: null,
      version: 'v',
    });
    await d.dispatch(t3[0], T0);
    await d.processDue(T0);
    const row3 = (await deliveries.listByAlarm(t3[0].alarm.id)).find((x) => x.channel === 'kakao')!;
    expect(row3).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row3.log[0].error).toMatch(/token refresh failed/);
  });

  it('records why nothing was sent: missing address, channel not configured', async () => {
    const d = makeDispatcher({ channels: { email } });
    directory.users.get('u-kim')!.email = null;
    const rows = await d.dispatch(await openAlarm(T0), T0);
    expect(byUserChannel(rows)).toEqual([
      'u-kim/email:suppressed(no-address)',
      'u-kim/kakao:suppressed(channel-not-configured)',
      'u-kim/push:suppressed(channel-not-configured)',
      'u-kim/sms:suppressed(channel-not-configured)',
      'u-lee/email:pending',
      'u-lee/push:suppressed(channel-not-configured)',
    ]);
  });

  it('tells only the assignee about an assignment, and nobody about info-level alarms', async () => {
    const d = makeDispatcher();
    const t = await openAlarm(T0);
    const asg = await engine.assign(t.alarm.id, 'u-lee', { userId: 'u-kim' }, T0 + MIN);
    const rows = await d.dispatch(asg!, T0 + MIN);
    expect(new Set(rows.map((r) => r.userId))).toEqual(new Set(['u-lee']));
    expect(rows[0].message.kind).toBe('assigned');
    expect(rows[0].message.body).toContain('You were assigned the alarm for 1번 냉동 압축기.');

    const [loss] = await engine.onDataLoss({
      orgId: 'org-a',
      deviceId: 'dev-1',
      machineId: 'm-1',
      t: T0,
      bootId: 'abcd1234',
      fromSeq: 3,
      toSeq: 3,
    });
    expect(loss.alarm.severity).toBe('info');
    expect(await d.dispatch(loss, T0)).toEqual([]);
  });

  it('a user who turns a channel off after queueing does not get it', async () => {
    const d = makeDispatcher();
    const t = await openAlarm(T0);
    await d.dispatch(t, T0);
    directory.users.get('u-kim')!.preferences.channels.sms = false;
    const before = twilio.sent.length;
    await d.processDue(T0);
    expect(twilio.sent.length).toBe(before);
    expect((await deliveries.listByAlarm(t.alarm.id)).find((x) => x.channel === 'sms')).toMatchObject({ status: 'failed' });
  });

  it('the worker sends in the background and stop() waits for the pass in flight', async () => {
    const d = makeDispatcher();
    const t = await openAlarm(T0);
    await d.dispatch(t, T0);
    const worker = d.startWorker({ intervalMs: 20, now: () => T0 + 1000 });
    for (let i = 0; i < 100 && (await deliveries.listByAlarm(t.alarm.id)).some((x) => x.status === 'pending'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop();
    expect((await deliveries.listByAlarm(t.alarm.id)).every((x) => x.status === 'sent')).toBe(true);
  });

  it('handle() queues and a running worker sends at once, not at the next interval', async () => {
    const d = makeDispatcher();
    const worker = d.startWorker({ intervalMs: 60_000, now: () => T0 + 1000 });
    const t = await openAlarm(T0);
    await new Promise((r) => setTimeout(r, 50)); // let the worker's first (empty) pass finish
    const rows = await d.handle(t, T0 + 500);
    expect(rows.length).toBe(6);
    for (let i = 0; i < 100 && (await deliveries.listByAlarm(t.alarm.id)).some((x) => x.status === 'pending'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop();
    expect((await deliveries.listByAlarm(t.alarm.id)).map((x) => x.status)).toEqual(Array(6).fill('sent'));
  });

  it('backoff grows by the factor, is capped, and jitters within ±jitter', () => {
    const p = { ...DEFAULT_RETRY, baseDelayMs: 1000, factor: 2, maxDelayMs: 5000, jitter: 0.2 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(p, n, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffDelay(p, 1, () => 0)).toBe(800);
    expect(backoffDelay(p, 1, () => 1)).toBe(1200);
    expect(() => makeDispatcher({ retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
