import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMessage, sampleRecipient } from '../testing/fixtures.ts';
import { closedPortUrl } from '../testing/http-server.ts';
import { startTwilioServer, TWILIO_INVALID_NUMBER, TWILIO_TEST_SID, TWILIO_TEST_TOKEN } from '../testing/twilio-server.ts';
import { createSmsChannel, TwilioSmsProvider, twilioConfigFromEnv } from './sms.ts';

let tw: Awaited<ReturnType<typeof startTwilioServer>>;
beforeAll(async () => {
  tw = await startTwilioServer();
});
afterAll(() => tw.close());

const provider = (over: Partial<ConstructorParameters<typeof TwilioSmsProvider>[0]> = {}) =>
  new TwilioSmsProvider({
    accountSid: TWILIO_TEST_SID,
    authToken: TWILIO_TEST_TOKEN,
    from: '+15005550006',
    baseUrl: tw.url,
    ...over,
  });

describe('SMS channel (Twilio Messages API → local server)', () => {
  it('posts To/From/Body with basic auth and returns the message SID', async () => {
    const ch = createSmsChannel(provider());
    const r = sampleRecipient();
    expect(ch.targets(r)).toEqual(['+821012345678']);
    const m = sampleMessage('ko');
    const res = await ch.send(r, '+821012345678', m);
    expect(res).toMatchObject({ ok: true, httpStatus: 201 });
    expect(res.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const sent = tw.sent.at(-1)!;
    expect(sent).toMatchObject({
      to: '+821012345678',
      from: '+15005550006',
      messagingServiceSid: null,
      sid: res.providerMessageId,
    });
    expect(sent.body).toBe(m.short);
    expect(sent.body).toContain('[시그널크래프트] [긴급] 1번 냉동 압축기');
    expect(sent.body.length).toBeLessThanOrEqual(140);
  });

  it('can send through a Messaging Service instead of a From number', async () => {
    await provider({ from: undefined, messagingServiceSid: 'MG0123' }).send('+821099998888', 'hi');
    expect(tw.sent.at(-1)).toMatchObject({ from: null, messagingServiceSid: 'MG0123' });
  });

  it('retries on 429 (with Retry-After) and on 5xx', async () => {
    tw.script.push(429, 503);
    const p = provider();
    expect(await p.send('+821012345678', 'x')).toMatchObject({ ok: false, httpStatus: 429, retryAfterMs: 2000 });
    const five = await p.send('+821012345678', 'x');
    expect(five).toMatchObject({ ok: false, httpStatus: 503 });
    expect(five.permanent).toBeFalsy();
    expect((await p.send('+821012345678', 'x')).ok).toBe(true);
  });

  it('gives up on an invalid number (Twilio 21211) and on bad credentials', async () => {
    const invalid = await provider().send(TWILIO_INVALID_NUMBER, 'x');
    expect(invalid).toMatchObject({ ok: false, permanent: true, httpStatus: 400 });
    expect(invalid.error).toMatch(/code 21211/);
    const auth = await provider({ authToken: 'nope' }).send('+821012345678', 'x');
    expect(auth).toMatchObject({ ok: false, permanent: true, httpStatus: 401 });
    expect(auth.error).not.toContain('nope');
  });

  it('checks numbers are E.164 before calling the provider', async () => {
    const before = tw.requests.length;
    const ch = createSmsChannel(provider());
    expect(await ch.send(sampleRecipient(), '010-1234-5678', sampleMessage('ko'))).toMatchObject({ ok: false, permanent: true });
    expect(tw.requests.length).toBe(before);
    expect(ch.targets(sampleRecipient({ phone: null, preferences: { ...sampleRecipient().preferences, phone: null } }))).toEqual(
      [],
    );
  });

  it('a network failure is transient', async () => {
    const res = await provider({ baseUrl: await closedPortUrl(), timeoutMs: 2000 }).send('+821012345678', 'x');
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/ECONNREFUSED/);
    expect(res.permanent).toBeFalsy();
  });

  it('validates its configuration', () => {
    expect(twilioConfigFromEnv({})).toBeNull();
    expect(() => new TwilioSmsProvider({ accountSid: 'bogus', authToken: 't', from: '+1' })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => new TwilioSmsProvider({ accountSid: TWILIO_TEST_SID, authToken: 't' })).toThrow(/TWILIO_FROM/);
    expect(
      twilioConfigFromEnv({ TWILIO_ACCOUNT_SID: TWILIO_TEST_SID, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' }),
    ).toMatchObject({
      from: '+15005550006',
      baseUrl: undefined,
    });
  });
});
