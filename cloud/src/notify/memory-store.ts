import { randomUUID } from 'node:crypto';
import type { Alarm } from '../alarms/types.ts';
import type {
  Delivery,
  DeliveryAttempt,
  DeliveryStore,
  DeviceDescription,
  NewDelivery,
  Recipient,
  RecipientDirectory,
} from './types.ts';

const copy = <T>(v: T): T => structuredClone(v);

/** Reference `DeliveryStore`; the service uses the drizzle one. */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly rows = new Map<string, Delivery>();
  private readonly byKey = new Map<string, string>();

  async enqueue(deliveries: NewDelivery[]): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const d of deliveries) {
      const existing = this.byKey.get(d.dedupeKey);
      if (existing) {
        out.push(copy(this.rows.get(existing)!));
        continue;
      }
      const row: Delivery = {
        ...copy(d),
        id: d.id ?? randomUUID(),
        attempts: 0,
        sentAt: null,
        providerMessageId: null,
        log: [],
      };
      this.rows.set(row.id, row);
      this.byKey.set(row.dedupeKey, row.id);
      out.push(copy(row));
    }
    return out;
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<Delivery[]> {
    const due = [...this.rows.values()]
      .filter((d) => d.status === 'pending' && d.nextAttemptAt !== null && d.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt! - b.nextAttemptAt! || a.createdAt - b.createdAt)
      .slice(0, limit);
    for (const d of due) d.nextAttemptAt = now + leaseMs;
    return due.map(copy);
  }

  private must(id: string): Delivery {
    const d = this.rows.get(id);
    if (!d) throw new Error(`delivery ${id} not found`);
    return d;
  }

  async markSent(id: string, attempt: DeliveryAttempt): Promise<Delivery> {
    const d = this.must(id);
    d.status = 'sent';
    d.attempts += 1;
    d.sentAt = attempt.at;
    d.nextAttemptAt = null;
    d.providerMessageId = attempt.providerMessageId ?? null;
    d.log.push(copy(attempt));
    return copy(d);
  }

  async markFailed(id: string, attempt: DeliveryAttempt, nextAttemptAt: number | null, reason?: string): Promise<Delivery> {
    const d = this.must(id);
    d.attempts += 1;
    d.log.push(copy(attempt));
    d.nextAttemptAt = nextAttemptAt;
    if (nextAttemptAt === null) {
      d.status = 'failed';
      d.reason = reason ?? attempt.error ?? 'failed';
    }
    return copy(d);
  }

  async listByAlarm(alarmId: string): Promise<Delivery[]> {
    return [...this.rows.values()]
      .filter((d) => d.alarmId === alarmId)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }

  async get(id: string): Promise<Delivery | null> {
    const d = this.rows.get(id);
    return d ? copy(d) : null;
  }
}

/** A fixed set of users per org, for tests and demos. */
export class MemoryRecipientDirectory implements RecipientDirectory {
  readonly users = new Map<string, Recipient & { orgId: string }>();
  readonly devices = new Map<string, DeviceDescription>();
  /** Test hook behind `refreshKakaoToken` (absent: the directory cannot refresh). */
  kakaoRefresher: ((userId: string) => Promise<string | null>) | null = null;

  get refreshKakaoToken(): ((userId: string) => Promise<string | null>) | undefined {
    const refresher = this.kakaoRefresher;
    if (!refresher) return undefined;
    return async (userId: string) => {
      const token = await refresher(userId);
      const u = this.users.get(userId);
      if (u && token) u.kakaoAccessToken = token;
      return token;
    };
  }

  add(orgId: string, r: Recipient): void {
    this.users.set(r.userId, { ...copy(r), orgId });
  }

  async recipientsFor(orgId: string, _alarm: Alarm): Promise<Recipient[]> {
    return [...this.users.values()].filter((u) => u.orgId === orgId).map(({ orgId: _o, ...r }) => copy(r));
  }

  async recipient(userId: string): Promise<Recipient | null> {
    const u = this.users.get(userId);
    if (!u) return null;
    const { orgId: _o, ...r } = u;
    return copy(r);
  }

  async removePushSubscription(userId: string, endpoint: string): Promise<void> {
    const u = this.users.get(userId);
    if (u) u.pushSubscriptions = u.pushSubscriptions.filter((s) => s.endpoint !== endpoint);
  }

  async describeDevice(deviceId: string): Promise<DeviceDescription | null> {
    return copy(this.devices.get(deviceId) ?? null);
  }
}
