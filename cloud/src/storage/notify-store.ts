import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Alarm } from '../alarms/types.ts';
import { DEFAULT_CHANNELS } from '../api/me.ts';
import type { Db } from '../db/client.ts';
import { deliveries, devices, machines, pushSubscriptions, sites, users } from '../db/schema.ts';
import type {
  Delivery,
  DeliveryAttempt,
  DeliveryStore,
  DeviceDescription,
  NewDelivery,
  Recipient,
  RecipientDirectory,
} from '../notify/types.ts';

type Row = typeof deliveries.$inferSelect;
const toDelivery = (r: Row): Delivery => ({
  ...r,
  channel: r.channel as Delivery['channel'],
  status: r.status as Delivery['status'],
  message: r.message as Delivery['message'],
  log: r.log as DeliveryAttempt[],
});

/** `DeliveryStore` on drizzle; `claimDue` is one UPDATE … RETURNING so two workers never share a row. */
export class DrizzleDeliveryStore implements DeliveryStore {
  constructor(private db: Db) {}

  async enqueue(list: NewDelivery[]): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const d of list) {
      await this.db
        .insert(deliveries)
        .values({ ...d, id: d.id ?? randomUUID(), attempts: 0, sentAt: null, providerMessageId: null, log: [] })
        .onConflictDoNothing({ target: deliveries.dedupeKey });
      const [row] = await this.db.select().from(deliveries).where(eq(deliveries.dedupeKey, d.dedupeKey));
      out.push(toDelivery(row));
    }
    return out;
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<Delivery[]> {
    const due = this.db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.status, 'pending'), isNotNull(deliveries.nextAttemptAt), lte(deliveries.nextAttemptAt, now)))
      .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.createdAt))
      .limit(limit);
    const rows = await this.db
      .update(deliveries)
      .set({ nextAttemptAt: now + leaseMs })
      .where(inArray(deliveries.id, due))
      .returning();
    return rows.map(toDelivery).sort((a, b) => a.createdAt - b.createdAt);
  }

  private async must(id: string): Promise<Delivery> {
    const d = await this.get(id);
    if (!d) throw new Error(`delivery ${id} not found`);
    return d;
  }

  async markSent(id: string, attempt: DeliveryAttempt): Promise<Delivery> {
    const d = await this.must(id);
    const [r] = await this.db
      .update(deliveries)
      .set({
        status: 'sent',
        attempts: d.attempts + 1,
        sentAt: attempt.at,
        nextAttemptAt: null,
        providerMessageId: attempt.providerMessageId ?? null,
        log: [...d.log, attempt],
      })
      .where(eq(deliveries.id, id))
      .returning();
    return toDelivery(r);
  }

  async markFailed(id: string, attempt: DeliveryAttempt, nextAttemptAt: number | null, reason?: string): Promise<Delivery> {
    const d = await this.must(id);
    const [r] = await this.db
      .update(deliveries)
      .set({
        attempts: d.attempts + 1,
        log: [...d.log, attempt],
        nextAttemptAt,
        ...(nextAttemptAt === null ? { status: 'failed', reason: reason ?? attempt.error ?? 'failed' } : {}),
      })
      .where(eq(deliveries.id, id))
      .returning();
    return toDelivery(r);
  }

  async listByAlarm(alarmId: string): Promise<Delivery[]> {
    const rows = await this.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.alarmId, alarmId))
      .orderBy(asc(deliveries.createdAt), asc(sql`rowid`));
    return rows.map(toDelivery);
  }

  async get(id: string): Promise<Delivery | null> {
    const [r] = await this.db.select().from(deliveries).where(eq(deliveries.id, id));
    return r ? toDelivery(r) : null;
  }
}

/** Org users with their preferences, phone, Kakao token and push subscriptions. */
export class DbRecipientDirectory implements RecipientDirectory {
  /** `kakaoToken` refreshes expiring Kakao tokens (auth/kakao.ts `freshKakaoToken`). */
  constructor(
    private db: Db,
    private kakaoToken: (u: typeof users.$inferSelect) => Promise<string | null> = async (u) => u.kakaoAccessToken,
  ) {}

  private async build(rows: (typeof users.$inferSelect)[]): Promise<Recipient[]> {
    if (rows.length === 0) return [];
    const subs = await this.db
      .select()
      .from(pushSubscriptions)
      .where(
        inArray(
          pushSubscriptions.userId,
          rows.map((r) => r.id),
        ),
      );
    const tokens = await Promise.all(rows.map((u) => this.kakaoToken(u)));
    return rows.map((u, i) => ({
      userId: u.id,
      name: u.name,
      email: u.email.endsWith('.invalid') ? null : u.email,
      phone: u.phone,
      locale: u.locale,
      kakaoAccessToken: tokens[i],
      pushSubscriptions: subs
        .filter((s) => s.userId === u.id)
        .map((s) => ({ endpoint: s.endpoint, expirationTime: s.expirationTime, keys: { p256dh: s.p256dh, auth: s.auth } })),
      preferences: {
        locale: u.locale,
        channels: u.preferences?.channels ?? DEFAULT_CHANNELS,
        phone: u.phone,
        quietHours: u.preferences?.quietHours ?? null,
      },
    }));
  }

  async recipientsFor(orgId: string, _alarm: Alarm): Promise<Recipient[]> {
    return this.build(await this.db.select().from(users).where(eq(users.orgId, orgId)));
  }

  async recipient(userId: string): Promise<Recipient | null> {
    const [r] = await this.build(await this.db.select().from(users).where(eq(users.id, userId)));
    return r ?? null;
  }

  async removePushSubscription(userId: string, endpoint: string): Promise<void> {
    await this.db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)));
  }

  async describeDevice(deviceId: string): Promise<DeviceDescription | null> {
    const [r] = await this.db
      .select({ deviceName: devices.name, machineName: machines.name, siteName: sites.name })
      .from(devices)
      .leftJoin(machines, eq(machines.id, devices.machineId))
      .leftJoin(sites, eq(sites.id, machines.siteId))
      .where(eq(devices.id, deviceId));
    return r ?? null;
  }
}
