import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMessage, sampleRecipient } from '../testing/fixtures.ts';
import { startKakaoServer } from '../testing/kakao-server.ts';
import { createKakaoChannel } from './kakao.ts';

let kk: Awaited<ReturnType<typeof startKakaoServer>>;
beforeAll(async () => {
  kk = await startKakaoServer({ validTokens: ['tok-kim'], tokensWithoutConsent: ['tok-noscope'] });
});
afterAll(() => kk.close());

describe('Kakao channel ("send to me" memo API → local server)', () => {
  it("sends a text template with the user's token and a link button", async () => {
    const ch = createKakaoChannel({ baseUrl: kk.url });
    const r = sampleRecipient({ kakaoAccessToken: 'tok-kim' });
    expect(ch.targets(r)).toEqual(['kakao:u-kim']);
    const res = await ch.send(r, 'kakao:u-kim', sampleMessage('ko'));
    expect(res).toEqual({ ok: true, httpStatus: 200 });
    const { token, template } = kk.sent.at(-1)!;
    expect(token).toBe('tok-kim');
    expect(template.object_type).toBe('text');
    expect(template.text.startsWith('[긴급] 1번 냉동 압축기: 압축기 이상 소음')).toBe(true);
    expect(template.text.length).toBeLessThanOrEqual(200);
    expect(template.link).toEqual({
      web_url: 'http://127.0.0.1:8787/app/alarms/alarm-0001',
      mobile_web_url: 'http://127.0.0.1:8787/app/alarms/alarm-0001',
    });
    expect(template.button_title).toBe('알람 보기');
  });

  it('gives up on an expired token (-401) or missing consent (-402), saying what to do', async () => {
    const ch = createKakaoChannel({ baseUrl: kk.url });
    const expired = await ch.send(sampleRecipient({ kakaoAccessToken: 'tok-old' }), 'kakao:u-kim', sampleMessage('ko'));
    expect(expired).toMatchObject({ ok: false, permanent: true, tokenExpired: true, httpStatus: 401 });
    expect(expired.error).toMatch(/-401.*sign in with Kakao again/);
    const scope = await ch.send(sampleRecipient({ kakaoAccessToken: 'tok-noscope' }), 'kakao:u-kim', sampleMessage('ko'));
    expect(scope).toMatchObject({ ok: false, permanent: true, httpStatus: 403 });
    expect(scope.tokenExpired).toBeUndefined(); // a new token would not add the missing consent
    expect(scope.error).toMatch(/-402/);
  });

  it('retries on a service check (503, code -9798)', async () => {
    kk.script.push(503);
    const ch = createKakaoChannel({ baseUrl: kk.url });
    const r = sampleRecipient({ kakaoAccessToken: 'tok-kim' });
    const res = await ch.send(r, 'kakao:u-kim', sampleMessage('en'));
    expect(res).toMatchObject({ ok: false, httpStatus: 503 });
    expect(res.permanent).toBeFalsy();
    expect((await ch.send(r, 'kakao:u-kim', sampleMessage('en'))).ok).toBe(true);
    expect(kk.sent.at(-1)!.template.button_title).toBe('View alarm');
  });

  it('has no target for a user without Kakao login', async () => {
    const ch = createKakaoChannel({ baseUrl: kk.url });
    expect(ch.targets(sampleRecipient())).toEqual([]);
    expect(await ch.send(sampleRecipient(), 'kakao:u-kim', sampleMessage('ko'))).toMatchObject({ ok: false, permanent: true });
  });
});
