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
} from './types.ts';

const copy = <T>(v: T): T => structuredClone(v);

/** Reference `AlarmStore` for tests and single-process demos; the service uses the drizzle one. */
export class MemoryAlarmStore implements AlarmStore {
  private readonly alarms = new Map<string, Alarm>();
  private readonly notesById = new Map<string, AlarmNote[]>();
  private readonly eventsById = new Map<string, AlarmEvent[]>();
  private readonly streaks = new Map<string, Streak>();

  async get(id: string): Promise<Alarm | null> {
    const a = this.alarms.get(id);
    return a ? copy(a) : null;
  }

  async findActive(deviceId: string, type: AlarmType): Promise<Alarm | null> {
    for (const a of this.alarms.values()) {
      if (a.deviceId === deviceId && a.type === type && a.status === 'active') return copy(a);
    }
    return null;
  }

  async findLatest(deviceId: string, type: AlarmType): Promise<Alarm | null> {
    let best: Alarm | null = null;
    for (const a of this.alarms.values()) {
      if (a.deviceId !== deviceId || a.type !== type) continue;
      if (!best || a.openedAt > best.openedAt || (a.openedAt === best.openedAt && a.id > best.id)) best = a;
    }
    return best ? copy(best) : null;
  }

  async insert(alarm: Alarm): Promise<Alarm> {
    if (this.alarms.has(alarm.id)) throw new Error(`alarm id ${alarm.id} already exists`);
    if (alarm.status === 'active' && (await this.findActive(alarm.deviceId, alarm.type))) {
      throw new DuplicateActiveAlarmError(alarm.deviceId, alarm.type);
    }
    this.alarms.set(alarm.id, copy(alarm));
    return copy(alarm);
  }

  async update(id: string, patch: AlarmPatch): Promise<Alarm> {
    const current = this.alarms.get(id);
    if (!current) throw new AlarmNotFoundError(id);
    if (patch.status === 'active' && current.status !== 'active') {
      const other = await this.findActive(current.deviceId, current.type);
      if (other && other.id !== id) throw new DuplicateActiveAlarmError(current.deviceId, current.type);
    }
    const next: Alarm = { ...current, ...copy(patch) };
    this.alarms.set(id, next);
    return copy(next);
  }

  async list(q: AlarmQuery): Promise<Alarm[]> {
    const out = [...this.alarms.values()].filter(
      (a) =>
        a.orgId === q.orgId &&
        (q.filter !== 'open' || a.status === 'active' || !a.acknowledged) &&
        (q.deviceId === undefined || a.deviceId === q.deviceId) &&
        (q.machineId === undefined || a.machineId === q.machineId) &&
        (q.type === undefined || a.type === q.type) &&
        (q.before === undefined || a.lastEventAt < q.before),
    );
    out.sort((a, b) => b.lastEventAt - a.lastEventAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return out.slice(0, q.limit ?? 100).map(copy);
  }

  async addNote(note: AlarmNote): Promise<AlarmNote> {
    if (!this.alarms.has(note.alarmId)) throw new AlarmNotFoundError(note.alarmId);
    const list = this.notesById.get(note.alarmId) ?? [];
    list.push(copy(note));
    this.notesById.set(note.alarmId, list);
    return copy(note);
  }

  async notes(alarmId: string): Promise<AlarmNote[]> {
    return copy(this.notesById.get(alarmId) ?? []).sort((a, b) => a.createdAt - b.createdAt);
  }

  async addEvent(event: AlarmEvent): Promise<AlarmEvent> {
    if (!this.alarms.has(event.alarmId)) throw new AlarmNotFoundError(event.alarmId);
    const list = this.eventsById.get(event.alarmId) ?? [];
    list.push(copy(event));
    this.eventsById.set(event.alarmId, list);
    return copy(event);
  }

  async events(alarmId: string): Promise<AlarmEvent[]> {
    return copy(this.eventsById.get(alarmId) ?? []).sort((a, b) => a.at - b.at);
  }

  async getStreak(deviceId: string, type: AlarmType): Promise<Streak | null> {
    const s = this.streaks.get(`${deviceId}\u0000${type}`);
    return s ? copy(s) : null;
  }

  async putStreak(streak: Streak): Promise<void> {
    this.streaks.set(`${streak.deviceId}\u0000${streak.type}`, copy(streak));
  }

  async deleteStreak(deviceId: string, type: AlarmType): Promise<void> {
    this.streaks.delete(`${deviceId}\u0000${type}`);
  }
}
