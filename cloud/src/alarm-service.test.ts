import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pushSubscriptions, users } from './db/schema.ts';
import { startKakaoServer } from './notify/testing/kakao-server.ts';
import { startPushService } from './notify/testing/push-service.ts';
import { startSmtpServer } from './notify/testing/smtp-server.ts';
import { startTwilioServer, TWILIO_TEST_SID, TWILIO_TEST_TOKEN } from './notify/testing/twilio-server.ts';
import { call, startTestServer, type TestServer, UserClient } from './testing/harness.ts';

const KAKAO_TOKEN = 'kakao-access-token-1';
const KAKAO_TOKEN_2 = 'kakao-access-token-2';

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 8000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The whole path: Kakao login links the account, preferences and a push subscription go through the
 * API, a device's verdicts open an alarm, and the notification worker delivers it through every
 * channel to local servers speaking SMTP, Web Push, Twilio's API and Kakao's memo API.
 */
describe('alarm lifecycle with delivery through every channel', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let push: Awaited<ReturnType<typeof startPushService>>;
  let twilio: Awaited<ReturnType<typeof startTwilioServer>>;
  let kakao: Awaited<ReturnType<typeof startKakaoServer>>;
  let s: TestServer;
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    [smtp, push, twilio, kakao] = await Promise.all([
      startSmtpServer({ user: 'mailer', pass: 'pw' }),
      startPushService(),
      startTwilioServer(),
      startKakaoServer({ validTokens: [KAKAO_TOKEN, KAKAO_TOKEN_2] }),
    ]);
    // Kakao's OAuth and profile endpoints are on the internet: answer them here (arctic uses global fetch).
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith('https://kauth.kakao.com/oauth/token')) {
        const body = new URLSearchParams(input instanceof Request ? await input.clone().text() : String(init?.body ?? ''));
        if (body.get('grant_type') === 'refresh_token') {
          if (body.get('refresh_token') !== 'refresh-1') return Response.json({ error: 'invalid_grant' }, { status: 400 });
          return Response.json({ access_token: KAKAO_TOKEN_2, token_type: 'bearer', expires_in: 21599 });
        }
        if (body.get('code') !== 'good-code')
          return Response.json({ error: 'invalid_grant', error_description: 'bad code' }, { status: 400 });
        return Response.json({ access_token: KAKAO_TOKEN, token_type: 'bearer', refresh_token: 'refresh-1', expires_in: 21599 });
      }
      if (url.endsWith('/v2/user/me')) {
        return Response.json({
          id: 4242,
          kakao_account: {
            email: 'owner@chain.example',
            is_email_valid: true,
            is_email_verified: true,
            profile: { nickname: '김기사' },
          },
        });
      }
      return realFetch(input, init);
    });
    s = await startTestServer(
      { KAKAO_CLIENT_ID: 'kakao-rest-key', KAKAO_CLIENT_SECRET: 'secret', KAKAO_API_BASE_URL: kakao.url },
      {
        notifyIntervalMs: 100,
        notifyEnv: {
          SMTP_URL: smtp.url,
          MAIL_FROM: 'Signalcraft <alerts@signalcraft.test>',
          TWILIO_ACCOUNT_SID: TWILIO_TEST_SID,
          TWILIO_AUTH_TOKEN: TWILIO_TEST_TOKEN,
          TWILIO_FROM: '+15005550006',
          TWILIO_BASE_URL: twilio.url,
          KAKAO_API_BASE_URL: kakao.url,
        },
      },
    );
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await s.dispose();
    await Promise.all([smtp.close(), push.close(), twilio.close(), kakao.close()]);
  });

  it('Kakao login checks state and links to the existing account by verified email', async () => {
    const owner = await UserClient.signup(s.url, 'owner@chain.example', { orgName: '체인 냉동' });
    const anon = new UserClient(s.url);
    const start = await anon.req('GET', '/api/auth/kakao');
    expect(start.status).toBe(302);
    const auth = new URL(start.headers.get('location')!);
    expect(auth.host).toBe('kauth.kakao.com');
    expect(auth.searchParams.get('scope')).toContain('talk_message');
    const state = auth.searchParams.get('state')!;
    expect((await anon.req('GET', `/api/auth/kakao/callback?code=good-code&state=wrong`)).status).toBe(400);
    // the state cookie is single-use: start again
    const again = await anon.req('GET', '/api/auth/kakao');
    const state2 = new URL(again.headers.get('location')!).searchParams.get('state')!;
    expect(state2).not.toBe(state);
    const cb = await anon.req('GET', `/api/auth/kakao/callback?code=good-code&state=${state2}`);
    expect(cb.status).toBe(302);
    expect(cb.headers.get('location')).toBe('/app/');
    const me = await anon.req('GET', '/api/auth/verify');
    expect(me.body.user.id).toBe(owner.user.id);
    const [row] = await s.ctx.db.select().from(users).where(eq(users.id, owner.user.id));
    expect(row.kakaoId).toBe('4242');
    expect(row.kakaoAccessToken).toBe(KAKAO_TOKEN);
    expect(row.kakaoRefreshToken).toBe('refresh-1');
    expect(row.kakaoTokenExpiresAt).toBeGreaterThan(Date.now());
  });

  it('opens an alarm from device verdicts and delivers it by email, SMS, Kakao and push; ack and clear', async () => {
    const owner = new UserClient(s.url);
    await owner.req('POST', '/api/auth/login', { email: 'owner@chain.example', password: 'correct horse battery' });
    const prefs = await owner.req('PUT', '/api/me/preferences', {
      locale: 'ko',
      channels: { email: true, sms: true, kakao: true, push: true },
      phone: '+821012345678',
      quietHours: null,
    });
    expect(prefs.status).toBe(200);
    const { body: key } = await owner.req('GET', '/api/push/vapid-public-key');
    const sub = await push.subscribe(key.publicKey);
    expect((await owner.req('POST', '/api/push/subscriptions', sub)).status).toBe(201);

    // the Kakao token has expired by the time the alarm fires: the directory refreshes it
    await s.ctx.db
      .update(users)
      .set({ kakaoTokenExpiresAt: Date.now() - 1000 })
      .where(eq(users.id, owner.user.id));
    const dev = await owner.req('POST', '/api/devices', {
      name: '냉동1',
      siteName: '강남 물류센터',
      machineName: '1번 압축기',
      compressorType: 'scroll',
    });
    const { id: deviceId } = dev.body.device;
    const token = dev.body.provisioningToken;
    const t0 = Date.now() - 60_000;
    const r = await call(s.url, 'POST', '/api/v1/device/verdicts', {
      token,
      body: {
        v: 1,
        deviceId,
        bootId: 'abcabc12',
        seq: 1,
        modelSha256: 'e'.repeat(64),
        windows: [0, 1, 2].map((i) => ({ t: t0 + i * 5000, score: 1.3, state: 'alarm', levelDb: -30 })),
      },
    });
    expect(r.status).toBe(200);
    await s.settle();

    const mail = await until('email', () =>
      smtp.mails.find((m) => m.to.includes('owner@chain.example') && !/비밀번호|invited/.test(m.subject)),
    );
    expect(mail.subject).toMatch(/냉동1|1번 압축기|이상/);
    const sms = await until('sms', () => twilio.sent[0]);
    expect(sms.to).toBe('+821012345678');
    const talk = await until('kakao', () => kakao.sent[0]);
    expect(talk.token).toBe(KAKAO_TOKEN_2);
    const [refreshed] = await s.ctx.db.select().from(users).where(eq(users.id, owner.user.id));
    expect(refreshed.kakaoAccessToken).toBe(KAKAO_TOKEN_2);
    expect(refreshed.kakaoRefreshToken).toBe('refresh-1');
    const pushed = await until('push', () => push.received(sub.endpoint)[0]);
    expect(JSON.parse(pushed).title).toBeTruthy();

    const list = await owner.req('GET', '/api/alarms?status=open');
    const alarm = list.body.find((a: any) => a.deviceId === deviceId && a.type === 'edge-anomaly');
    expect(alarm.status).toBe('active');
    const detail = await until('all deliveries sent', async () => {
      const d = await owner.req('GET', `/api/alarms/${alarm.id}`);
      return d.body.deliveries.length >= 4 && d.body.deliveries.every((x: any) => x.status === 'sent') ? d.body : null;
    });
    expect(detail.deliveries.map((d: any) => d.channel).sort()).toEqual(['email', 'kakao', 'push', 'sms']);

    expect((await owner.req('POST', `/api/alarms/${alarm.id}/ack`)).body.acknowledged).toBe(true);
    expect((await owner.req('POST', `/api/alarms/${alarm.id}/clear`)).body.status).toBe('cleared');
    expect((await owner.req('GET', '/api/alarms?status=open')).body.find((a: any) => a.id === alarm.id)).toBeUndefined();

    // the push service forgets the subscription: the next notification's 410 removes it here too
    push.expire(sub.endpoint);
    const realNow = s.ctx.now;
    s.ctx.now = () => realNow() + (s.config.OFFLINE_AFTER_S + 10) * 1000;
    try {
      await s.ctx.pipeline.sweepOffline();
      await s.settle();
      await until('expired subscription removed', async () => (await s.ctx.db.select().from(pushSubscriptions)).length === 0);
    } finally {
      s.ctx.now = realNow;
    }
  });
});
