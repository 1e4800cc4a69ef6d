import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import {
  type Alarm,
  type AlarmEvent,
  type AlarmNote,
  AlarmNotFoundError,
  type AlarmPatch,
  type AlarmQuery,
  type AlarmStore,
  type AlarmType,
  DuplicateActiveAlarmError,
  type Streak,
} from '../alarms/types.ts';
import type { Db } from '../db/client.ts';
import { alarmEvents, alarmNotes, alarmStreaks, alarms } from '../db/schema.ts';

type Row = typeof alarms.$inferSelect;

function toAlarm(r: Row): Alarm {
  const { activeKey: _k, ...a } = r;
  return {
    ...a,
    type: a.type as AlarmType,
    severity: a.severity as Alarm['severity'],
    status: a.status as Alarm['status'],
    detail: a.detail as Alarm['detail'],
  };
}

const activeKey = (a: Pick<Alarm, 'status' | 'deviceId' | 'type'>) => (a.status === 'active' ? `${a.deviceId}:${a.type}` : null);

/** Unique-index violations surface as different wrappers depending on the driver; look through causes. */
export function isUniqueViolation(err: unknown): boolean {
  for (
    let e = err as { message?: string; cause?: unknown; code?: string } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (/UNIQUE constraint failed/i.test(e.message ?? '') || e.code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
  }
  return false;
}

/**
 * `AlarmStore` on drizzle. One active alarm per (device, type) is enforced by a unique index on
 * `active_key` (null when cleared), so two instances cannot both open one.
 */
export class DrizzleAlarmStore implements AlarmStore {
  constructor(private db: Db) {}

  async get(id: string): Promise<Alarm | null> {
    const [r] = await this.db.select().from(alarms).where(eq(alarms.id, id));
    return r ? toAlarm(r) : null;
  }

  async findActive(deviceId: string, type: AlarmType): Promise<Alarm | null> {
    const [r] = await this.db
      .select()
      .from(alarms)
      .where(eq(alarms.activeKey, `${deviceId}:${type}`));
    return r ? toAlarm(r) : null;
  }

  async findLatest(deviceId: string, type: AlarmType): Promise<Alarm | null> {
    const [r] = await this.db
      .select()
      .from(alarms)
      .where(and(eq(alarms.deviceId, deviceId), eq(alarms.type, type)))
      .orderBy(desc(alarms.openedAt), desc(alarms.id))
      .limit(1);
    return r ? toAlarm(r) : null;
  }

  async insert(alarm: Alarm): Promise<Alarm> {
    try {
      const [r] = await this.db
        .insert(alarms)
        .values({ ...alarm, activeKey: activeKey(alarm) })
        .returning();
      return toAlarm(r);
    } catch (err) {
      if (isUniqueViolation(err) && alarm.status === 'active' && (await this.findActive(alarm.deviceId, alarm.type))) {
        throw new DuplicateActiveAlarmError(alarm.deviceId, alarm.type);
      }
      throw err;
    }
  }

  async update(id: string, patch: AlarmPatch): Promise<Alarm> {
    const current = await this.get(id);
    if (!current) throw new AlarmNotFoundError(id);
    const next = { ...current, ...patch };
    try {
      const [r] = await this.db
        .update(alarms)
        .set({ ...patch, activeKey: activeKey(next) })
        .where(eq(alarms.id, id))
        .returning();
      return toAlarm(r);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateActiveAlarmError(current.deviceId, current.type);
      throw err;
    }
  }

  async list(q: AlarmQuery): Promise<Alarm[]> {
    const where = [eq(alarms.orgId, q.orgId)];
    if (q.filter === 'open') where.push(or(eq(alarms.status, 'active'), eq(alarms.acknowledged, false))!);
    if (q.deviceId !== undefined) where.push(eq(alarms.deviceId, q.deviceId));
    if (q.machineId !== undefined) where.push(eq(alarms.machineId, q.machineId));
    if (q.type !== undefined) where.push(eq(alarms.type, q.type));
    if (q.before !== undefined) where.push(lt(alarms.lastEventAt, q.before));
    const rows = await this.db
      .select()
      .from(alarms)
      .where(and(...where))
      .orderBy(desc(alarms.lastEventAt), desc(alarms.id))
      .limit(q.limit ?? 100);
    return rows.map(toAlarm);
  }

  async addNote(note: AlarmNote): Promise<AlarmNote> {
    if (!(await this.get(note.alarmId))) throw new AlarmNotFoundError(note.alarmId);
    await this.db.insert(alarmNotes).values(note);
    return { ...note };
  }

  async notes(alarmId: string): Promise<AlarmNote[]> {
    return this.db
      .select()
      .from(alarmNotes)
      .where(eq(alarmNotes.alarmId, alarmId))
      .orderBy(asc(alarmNotes.createdAt), asc(sql`rowid`));
  }

  async addEvent(event: AlarmEvent): Promise<AlarmEvent> {
    if (!(await this.get(event.alarmId))) throw new AlarmNotFoundError(event.alarmId);
    await this.db.insert(alarmEvents).values(event);
    return structuredClone(event);
  }

  async events(alarmId: string): Promise<AlarmEvent[]> {
    const rows = await this.db
      .select()
      .from(alarmEvents)
      .where(eq(alarmEvents.alarmId, alarmId))
      .orderBy(asc(alarmEvents.at), asc(sql`rowid`));
    return rows.map((r) => ({
      ...r,
      kind: r.kind as AlarmEvent['kind'],
      severity: r.severity as AlarmEvent['severity'],
      data: r.data as Record<string, unknown>,
    }));
  }

  async getStreak(deviceId: string, type: AlarmType): Promise<Streak | null> {
    const [r] = await this.db
      .select()
      .from(alarmStreaks)
      .where(and(eq(alarmStreaks.deviceId, deviceId), eq(alarmStreaks.type, type)));
    return r ? { ...r, type: r.type as AlarmType } : null;
  }

  async putStreak(streak: Streak): Promise<void> {
    const { deviceId: _d, type: _t, ...rest } = streak;
    await this.db
      .insert(alarmStreaks)
      .values(streak)
      .onConflictDoUpdate({ target: [alarmStreaks.deviceId, alarmStreaks.type], set: rest });
  }

  async deleteStreak(deviceId: string, type: AlarmType): Promise<void> {
    await this.db.delete(alarmStreaks).where(and(eq(alarmStreaks.deviceId, deviceId), eq(alarmStreaks.type, type)));
  }
}
