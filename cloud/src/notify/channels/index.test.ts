import { describe, expect, it } from 'vitest';
import { TWILIO_TEST_SID } from '../testing/twilio-server.ts';
import { channelsFromEnv } from './index.ts';
import { generateVapidKeys } from './push.ts';

describe('channelsFromEnv', () => {
  it('turns on what is configured and says why the rest is off', () => {
    const none = channelsFromEnv({}, null);
    expect(Object.keys(none.channels)).toEqual(['kakao']);
    expect(none.disabled).toEqual({
      email: 'SMTP_URL not set',
      sms: 'TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN not set',
      push: 'no VAPID keys',
    });

    const all = channelsFromEnv(
      {
        SMTP_URL: 'smtp://u:p@127.0.0.1:2525',
        TWILIO_ACCOUNT_SID: TWILIO_TEST_SID,
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+15005550006',
        KAKAO_MESSAGES: 'off',
      },
      generateVapidKeys(),
    );
    expect(Object.keys(all.channels).sort()).toEqual(['email', 'push', 'sms']);
    expect(all.disabled).toEqual({ kakao: 'KAKAO_MESSAGES=off' });
    all.close();
  });

  it('fails fast on a half-configured provider', () => {
    expect(() => channelsFromEnv({ TWILIO_ACCOUNT_SID: TWILIO_TEST_SID, TWILIO_AUTH_TOKEN: 't' }, null)).toThrow(/TWILIO_FROM/);
    expect(() => channelsFromEnv({ SMTP_URL: 'ftp://x' }, null)).toThrow(/smtp:\/\//);
  });
});
