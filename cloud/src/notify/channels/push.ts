/**
 * Web push with VAPID. web-push's own sendNotification() only speaks https, so we let it build the
 * encrypted request (generateRequestDetails) and send that with fetch: same bytes, any scheme.
 */
import { createHash } from 'node:crypto';
import webpush from 'web-push';
import type { Channel, DeliveryResult, Recipient, RenderedMessage } from '../types.ts';
import { DEFAULT_TIMEOUT_MS, type FetchLike, parseRetryAfter, safeFetch } from './http.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushConfig {
  vapid: VapidKeys & {
    /** mailto: or https: contact the push service can reach the operator at. */
    subject: string;
  };
  /** How long the push service keeps an undelivered message. Default 24 h. */
  ttlSeconds?: number;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** What the dashboard's service worker receives (JSON). */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  alarmId: string;
  severity: RenderedMessage['severity'];
  kind: RenderedMessage['kind'];
  /** Same tag for every message about one alarm, so the newest replaces the older notification. */
  tag: string;
  requireInteraction: boolean;
}

export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

export function pushPayload(m: RenderedMessage): PushPayload {
  return {
    title: m.title,
    body: m.body
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 3)
      .join('\n'),
    url: m.url,
    alarmId: m.alarmId,
    severity: m.severity,
    kind: m.kind,
    tag: `alarm-${m.alarmId}`,
    requireInteraction: m.severity === 'critical' && m.kind !== 'cleared',
  };
}

export function createPushChannel(cfg: PushConfig): Channel {
  const fetchImpl: FetchLike = cfg.fetch ?? fetch;
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    id: 'push',
    targets: (r: Recipient) => r.pushSubscriptions.map((s) => s.endpoint),
    async send(r, target, m): Promise<DeliveryResult> {
      const sub = r.pushSubscriptions.find((s) => s.endpoint === target);
      if (!sub) return { ok: false, permanent: true, error: 'push subscription no longer registered' };
      let details: ReturnType<typeof webpush.generateRequestDetails>;
      try {
        details = webpush.generateRequestDetails(sub, JSON.stringify(pushPayload(m)), {
          vapidDetails: cfg.vapid,
          TTL: cfg.ttlSeconds ?? 24 * 3600,
          urgency: m.severity === 'critical' && m.kind !== 'cleared' ? 'high' : 'normal',
          // A topic lets the push service replace a still-queued message about the same alarm.
          topic: createHash('sha256').update(m.alarmId).digest('base64url').slice(0, 32),
        });
      } catch (err) {
        // Malformed keys or endpoint: this subscription can never work.
        return {
          ok: false,
          permanent: true,
          expiredSubscription: true,
          error: `invalid push subscription: ${(err as Error).message}`,
        };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(details.headers)) {
        // fetch computes Content-Length itself and rejects a caller-set one.
        if (k.toLowerCase() !== 'content-length') headers[k] = String(v);
      }
      const res = await safeFetch(
        fetchImpl,
        details.endpoint,
        { method: 'POST', headers, body: details.body ? new Uint8Array(details.body) : undefined },
        timeoutMs,
      );
      if (!(res instanceof Response)) return res;
      const text = (await res.text().catch(() => '')).slice(0, 200);
      if (res.status >= 200 && res.status < 300) {
        return { ok: true, httpStatus: res.status, providerMessageId: res.headers.get('location') ?? undefined };
      }
      const base = { ok: false, httpStatus: res.status, error: `push service answered ${res.status} ${text}`.trim() };
      if (res.status === 404 || res.status === 410) return { ...base, permanent: true, expiredSubscription: true };
      if (res.status === 429 || res.status >= 500)
        return { ...base, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
      return { ...base, permanent: true };
    },
  };
}
