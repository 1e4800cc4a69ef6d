/** Builds the configured channels from the environment (and the VAPID keys the service persists). */
import type { Channel, ChannelId } from '../types.ts';
import { createEmailChannel, emailConfigFromEnv } from './email.ts';
import { createKakaoChannel } from './kakao.ts';
import { createPushChannel, type VapidKeys } from './push.ts';
import { createSmsChannel, TwilioSmsProvider, twilioConfigFromEnv } from './sms.ts';

export interface ChannelSetup {
  channels: Partial<Record<ChannelId, Channel>>;
  /** Why a channel is off, for the startup log. */
  disabled: Partial<Record<ChannelId, string>>;
  close(): void;
}

export function channelsFromEnv(env: Record<string, string | undefined>, vapid: VapidKeys | null): ChannelSetup {
  const channels: Partial<Record<ChannelId, Channel>> = {};
  const disabled: Partial<Record<ChannelId, string>> = {};
  const closers: (() => void)[] = [];

  const email = emailConfigFromEnv(env);
  if (email) {
    const ch = createEmailChannel(email);
    channels.email = ch;
    closers.push(() => ch.close());
  } else disabled.email = 'SMTP_URL not set';

  const twilio = twilioConfigFromEnv(env);
  if (twilio) channels.sms = createSmsChannel(new TwilioSmsProvider(twilio));
  else disabled.sms = 'TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN not set';

  if (env.KAKAO_MESSAGES === 'off') disabled.kakao = 'KAKAO_MESSAGES=off';
  else channels.kakao = createKakaoChannel({ baseUrl: env.KAKAO_API_BASE_URL || undefined });

  if (vapid) {
    channels.push = createPushChannel({ vapid: { ...vapid, subject: env.VAPID_SUBJECT || 'mailto:alerts@signalcraft.invalid' } });
  } else disabled.push = 'no VAPID keys';

  return {
    channels,
    disabled,
    close: () => {
      for (const c of closers) c();
    },
  };
}
