/**
 * SMS: a provider-agnostic interface plus one concrete provider, Twilio's Messages API
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth).
 */
import type { Channel, DeliveryResult, Recipient } from '../types.ts';
import { DEFAULT_TIMEOUT_MS, type FetchLike, parseRetryAfter, readJson, safeFetch } from './http.ts';

export interface SmsProvider {
  readonly name: string;
  /** `to` is E.164. Never throws for delivery failures. */
  send(to: string, text: string): Promise<DeliveryResult>;
}

export const E164 = /^\+[1-9]\d{6,14}$/;

export function createSmsChannel(provider: SmsProvider): Channel {
  return {
    id: 'sms',
    targets: (r: Recipient) => {
      const phone = r.preferences.phone ?? r.phone;
      return phone ? [phone] : [];
    },
    async send(_r, target, m) {
      if (!E164.test(target)) {
        return { ok: false, permanent: true, error: `phone number must be E.164 like +821012345678, got ${target}` };
      }
      return provider.send(target, m.short);
    },
  };
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** A Twilio number (E.164) or alphanumeric sender; or use messagingServiceSid. */
  from?: string;
  messagingServiceSid?: string;
  /** Default https://api.twilio.com (tests point it at a local server). */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: FetchLike;
}

export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly fetchImpl: FetchLike;
  private readonly url: string;

  constructor(private readonly cfg: TwilioConfig) {
    if (!/^AC[0-9a-fA-F]{32}$/.test(cfg.accountSid))
      throw new Error('TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits');
    if (!cfg.authToken) throw new Error('TWILIO_AUTH_TOKEN is empty');
    if (!cfg.from && !cfg.messagingServiceSid) throw new Error('set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID');
    this.fetchImpl = cfg.fetch ?? fetch;
    const base = (cfg.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
    this.url = `${base}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
  }

  async send(to: string, text: string): Promise<DeliveryResult> {
    const form = new URLSearchParams({ To: to, Body: text });
    if (this.cfg.messagingServiceSid) form.set('MessagingServiceSid', this.cfg.messagingServiceSid);
    else form.set('From', this.cfg.from!);
    const auth = Buffer.from(`${this.cfg.accountSid}:${this.cfg.authToken}`).toString('base64');
    const res = await safeFetch(
      this.fetchImpl,
      this.url,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${auth}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      },
      this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    if (!(res instanceof Response)) return res;
    const json = await readJson(res);
    if (res.status === 200 || res.status === 201) {
      const sid = typeof json?.sid === 'string' ? json.sid : undefined;
      if (json?.status === 'failed' || json?.status === 'undelivered') {
        return {
          ok: false,
          permanent: true,
          httpStatus: res.status,
          error: `twilio: message ${json.status} (${json.error_code ?? '?'})`,
        };
      }
      return { ok: true, httpStatus: res.status, providerMessageId: sid };
    }
    const code = typeof json?.code === 'number' ? json.code : undefined;
    const error = `twilio ${res.status}${code ? ` code ${code}` : ''}: ${String(json?.message ?? res.statusText).slice(0, 200)}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { ok: false, httpStatus: res.status, error, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
    }
    // 400 (e.g. code 21211 invalid number, 21610 opted out), 401 bad credentials, 403/404 account
    // problems: retrying the same request cannot fix them.
    return { ok: false, permanent: true, httpStatus: res.status, error };
  }
}

export function twilioConfigFromEnv(env: Record<string, string | undefined>): TwilioConfig | null {
  if (!env.TWILIO_ACCOUNT_SID && !env.TWILIO_AUTH_TOKEN) return null;
  return {
    accountSid: env.TWILIO_ACCOUNT_SID ?? '',
    authToken: env.TWILIO_AUTH_TOKEN ?? '',
    from: env.TWILIO_FROM || undefined,
    messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
    baseUrl: env.TWILIO_BASE_URL || undefined,
  };
}
