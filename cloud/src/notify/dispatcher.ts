/**
 * Turns alarm transitions into deliveries (who, which channel, what text) and sends them with retries.
 *
 * `dispatch()` only writes to the DeliveryStore, so it is cheap to call right after the alarm write;
 * `processDue()` (or `startWorker()`) does the network work, so a slow provider never holds up ingestion
 * and a crash between the two loses nothing: the queue is the source of truth.
 */
import { randomUUID } from 'node:crypto';
import { severityRank } from '../alarms/rules.ts';
import type { Alarm, Severity, Transition } from '../alarms/types.ts';
import { type NotifyKind, renderMessage } from './messages.ts';
import { inQuietHours } from './quiet-hours.ts';
import {
  CHANNEL_IDS,
  type Channel,
  type ChannelId,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryResult,
  type DeliveryStore,
  type NewDelivery,
  type Recipient,
  type RecipientDirectory,
} from './types.ts';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** ± fraction of the delay, so many failed deliveries don't retry in lockstep. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 30_000,
  factor: 2,
  maxDelayMs: 60 * 60_000,
  jitter: 0.2,
};

export interface DispatcherOptions {
  deliveries: DeliveryStore;
  directory: RecipientDirectory;
  channels: Partial<Record<ChannelId, Channel>>;
  /** Deep link to an alarm in the dashboard. */
  alarmUrl: (alarm: Alarm) => string;
  retry?: Partial<RetryPolicy>;
  /** Alarms below this severity reach the dashboard only. Default 'warning'. */
  minSeverity?: Severity;
  /** Used for times in messages when a user has no quiet-hours zone. Default Asia/Seoul. */
  defaultTimeZone?: string;
  /** How long a claimed delivery is reserved for this worker. Default 2 min. */
  leaseMs?: number;
  batchSize?: number;
  /** Parallel sends inside one processDue call. Default 4. */
  concurrency?: number;
  random?: () => number;
  newId?: () => string;
  /** Every finished attempt (sent, retry scheduled, given up) for the structured log. */
  onAttempt?: (delivery: Delivery, result: DeliveryResult) => void;
}

export interface ProcessSummary {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  expiredSubscriptions: number;
}

const NOTIFY_KINDS = new Set<string>(['opened', 'reopened', 'escalated', 'cleared', 'assigned']);
const URGENT_KINDS = new Set<string>(['opened', 'reopened', 'escalated']);

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(raw * (1 + policy.jitter * (2 * random() - 1))));
}

export class NotificationDispatcher {
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly newId: () => string;
  /** Set while a worker runs: starts a pass now instead of at the next interval. */
  private kick: (() => void) | null = null;

  constructor(private readonly o: DispatcherOptions) {
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1) {
      throw new RangeError(`retry.maxAttempts must be an integer ≥ 1, got ${this.retry.maxAttempts}`);
    }
    this.random = o.random ?? Math.random;
    this.newId = o.newId ?? randomUUID;
  }

  /** Queues the deliveries a transition calls for; returns every row written (including suppressed ones). */
  async dispatch(t: Transition, now: number): Promise<Delivery[]> {
    if (!t.notify || !NOTIFY_KINDS.has(t.kind)) return [];
    const alarm = t.alarm;
    if (severityRank(alarm.severity) < severityRank(this.o.minSeverity ?? 'warning')) return [];

    let recipients: Recipient[];
    if (t.kind === 'assigned') {
      const r = alarm.assigneeId ? await this.o.directory.recipient(alarm.assigneeId) : null;
      recipients = r ? [r] : [];
    } else {
      recipients = await this.o.directory.recipientsFor(alarm.orgId, alarm);
    }
    if (recipients.length === 0) return [];

    const device = await this.o.directory.describeDevice(alarm.deviceId);
    const url = this.o.alarmUrl(alarm);
    const urgent = alarm.severity === 'critical' && URGENT_KINDS.has(t.kind);
    const rows: NewDelivery[] = [];

    for (const r of recipients) {
      const prefs = r.preferences;
      const locale = prefs.locale ?? r.locale;
      let quiet = false;
      try {
        quiet = inQuietHours(prefs.quietHours, now);
      } catch {
        // A malformed stored setting must not silence alarms: treat it as "no quiet hours".
      }
      const message = renderMessage({
        alarm,
        kind: t.kind as NotifyKind,
        locale,
        device,
        url,
        timeZone: prefs.quietHours?.tz ?? this.o.defaultTimeZone ?? 'Asia/Seoul',
      });
      for (const id of CHANNEL_IDS) {
        if (!prefs.channels[id]) continue;
        const channel = this.o.channels[id];
        const base = {
          orgId: alarm.orgId,
          alarmId: alarm.id,
          alarmEventId: t.event.id,
          userId: r.userId,
          channel: id,
          message,
          createdAt: now,
        };
        const key = (target: string) => `${t.event.id}:${r.userId}:${id}:${target}`;
        const skip = (target: string, reason: string) =>
          rows.push({
            ...base,
            id: this.newId(),
            dedupeKey: key(target),
            target,
            status: 'suppressed',
            reason,
            nextAttemptAt: null,
          });
        if (!channel) {
          skip('', 'channel-not-configured');
          continue;
        }
        const targets = channel.targets(r);
        if (targets.length === 0) {
          skip('', 'no-address');
          continue;
        }
        // Quiet hours hold back everything except critical news on push, the one channel a phone can
        // show without waking anyone up by SMS or call-like Kakao alerts.
        const held = quiet && !(urgent && id === 'push');
        for (const target of targets) {
          if (held) skip(target, 'quiet-hours');
          else
            rows.push({
              ...base,
              id: this.newId(),
              dedupeKey: key(target),
              target,
              status: 'pending',
              reason: null,
              nextAttemptAt: now,
            });
        }
      }
    }
    return this.o.deliveries.enqueue(rows);
  }

  /**
   * The service's transition sink: queue now, and let a running worker send at once (without a
   * worker the rows wait for the next processDue call).
   */
  async handle(t: Transition, now: number = Date.now()): Promise<Delivery[]> {
    const rows = await this.dispatch(t, now);
    if (rows.some((r) => r.status === 'pending')) this.kick?.();
    return rows;
  }

  /** Sends what is due; safe to run from several processes at once (claims are leased). */
  async processDue(now: number): Promise<ProcessSummary> {
    const claimed = await this.o.deliveries.claimDue(now, this.o.batchSize ?? 50, this.o.leaseMs ?? 120_000);
    const summary: ProcessSummary = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0, expiredSubscriptions: 0 };
    const queue = [...claimed];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await this.attempt(d, now, summary);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, queue.length) }, worker));
    return summary;
  }

  private async attempt(d: Delivery, now: number, summary: ProcessSummary): Promise<void> {
    const result = await this.send(d);
    const attempt: DeliveryAttempt = {
      at: now,
      ok: result.ok,
      ...(result.error !== undefined && { error: result.error }),
      ...(result.httpStatus !== undefined && { httpStatus: result.httpStatus }),
      ...(result.providerMessageId !== undefined && { providerMessageId: result.providerMessageId }),
    };
    let stored: Delivery;
    if (result.ok) {
      stored = await this.o.deliveries.markSent(d.id, attempt);
      summary.sent += 1;
    } else if (result.expiredSubscription) {
      await this.o.directory.removePushSubscription(d.userId, d.target);
      stored = await this.o.deliveries.markFailed(d.id, attempt, null, 'subscription-expired');
      summary.failed += 1;
      summary.expiredSubscriptions += 1;
    } else if (result.permanent) {
      stored = await this.o.deliveries.markFailed(d.id, attempt, null, 'permanent-error');
      summary.failed += 1;
    } else if (d.attempts + 1 >= this.retry.maxAttempts) {
      stored = await this.o.deliveries.markFailed(d.id, attempt, null, `gave-up-after-${d.attempts + 1}-attempts`);
      summary.failed += 1;
    } else {
      const delay = Math.max(result.retryAfterMs ?? 0, backoffDelay(this.retry, d.attempts + 1, this.random));
      stored = await this.o.deliveries.markFailed(d.id, attempt, now + delay);
      summary.retrying += 1;
    }
    this.o.onAttempt?.(stored, result);
  }

  private async send(d: Delivery): Promise<DeliveryResult> {
    const channel = this.o.channels[d.channel];
    if (!channel) return { ok: false, permanent: true, error: `channel ${d.channel} is not configured any more` };
    const recipient = await this.o.directory.recipient(d.userId);
    if (!recipient) return { ok: false, permanent: true, error: 'recipient no longer exists' };
    if (!recipient.preferences.channels[d.channel]) return { ok: false, permanent: true, error: `user turned ${d.channel} off` };
    const result = await this.trySend(channel, recipient, d);
    if (!result.tokenExpired || d.channel !== 'kakao' || !this.o.directory.refreshKakaoToken) return result;
    // Kakao access tokens live hours, refresh tokens months: refresh once and try again.
    let token: string | null;
    try {
      token = await this.o.directory.refreshKakaoToken(d.userId);
    } catch (err) {
      return {
        ok: false,
        httpStatus: result.httpStatus,
        error: `kakao token refresh failed: ${(err as Error).message}`.slice(0, 300),
      };
    }
    if (!token) return result;
    return this.trySend(channel, { ...recipient, kakaoAccessToken: token }, d);
  }

  private async trySend(channel: Channel, recipient: Recipient, d: Delivery): Promise<DeliveryResult> {
    try {
      return await channel.send(recipient, d.target, d.message);
    } catch (err) {
      // Channels shouldn't throw; if one does, treat it as transient so a bug fix gets the message out.
      return { ok: false, error: `channel ${d.channel} threw: ${(err as Error).message}`.slice(0, 300) };
    }
  }

  /**
   * Runs processDue every `intervalMs` until stopped; `stop()` waits for the pass in flight so a
   * graceful shutdown never cuts a send in half.
   */
  startWorker(opts: { intervalMs?: number; now?: () => number; onError?: (err: unknown) => void } = {}): {
    stop(): Promise<void>;
  } {
    const now = opts.now ?? Date.now;
    let running: Promise<unknown> = Promise.resolve();
    let stopped = false;
    let busy = false;
    let again = false;
    const tick = () => {
      if (stopped) return;
      if (busy) {
        again = true; // new work arrived mid-pass: run once more right after
        return;
      }
      busy = true;
      running = this.processDue(now())
        .catch((err) => opts.onError?.(err))
        .finally(() => {
          busy = false;
          if (again) {
            again = false;
            tick();
          }
        });
    };
    const timer = setInterval(tick, opts.intervalMs ?? 5_000);
    timer.unref();
    this.kick = tick;
    tick();
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        if (this.kick === tick) this.kick = null;
        while (busy) await running;
      },
    };
  }
}
