/**
 * Behaviour every `AlarmStore` must have. Run it from a test file against each implementation:
 *   alarmStoreSuite('memory', async () => ({ store: new MemoryAlarmStore(), orgId: 'o1', otherOrgId: 'o2',
 *     devices: ['d1', 'd2'], otherOrgDevice: 'd3', userId: 'u1' }));
 * The fixture names rows that already exist, so stores with foreign keys can be tested too.
 */
import { describe, expect, it } from 'vitest';
import { type Alarm, type AlarmStore, DuplicateActiveAlarmError, type Streak } from './types.ts';

export interface AlarmStoreFixture {
  store: AlarmStore;
  orgId: string;
  otherOrgId: string;
  /** Two devices of `orgId`. */
  devices: [string, string];
  /** A device of `otherOrgId`. */
  otherOrgDevice: string;
  /** A user of `orgId` (note author / ack actor). */
  userId: string;
  cleanup?: () => Promise<void>;
}

let n = 0;
function alarm(f: AlarmStoreFixture, over: Partial<Alarm> = {}): Alarm {
  n += 1;
  return {
    id: `alarm-${Date.now().toString(36)}-${n}`,
    orgId: f.orgId,
    deviceId: f.devices[0],
    machineId: null,
    type: 'edge-anomaly',
    severity: 'warning',
    status: 'active',
    acknowledged: false,
    ackBy: null,
    ackAt: null,
    assigneeId: null,
    openedAt: 1_000,
    clearedAt: null,
    clearedBy: null,
    lastEventAt: 1_000,
    cooldownUntil: null,
    title: 'Abnormal sound',
    detail: { threshold: 0.5, peakScore: 0.9, fault: { type: 'bearing', confidence: 0.8 } },
    ...over,
  };
}

export function alarmStoreSuite(name: string, make: () => Promise<AlarmStoreFixture>): void {
  describe(`AlarmStore behaviour: ${name}`, () => {
    async function withFixture(fn: (f: AlarmStoreFixture) => Promise<void>) {
      const f = await make();
      try {
        await fn(f);
      } finally {
        await f.cleanup?.();
      }
    }

    it('round-trips every field, including the JSON detail', () =>
      withFixture(async (f) => {
        const a = alarm(f, { ackBy: null, cooldownUntil: 5_000, machineId: null });
        await f.store.insert(a);
        expect(await f.store.get(a.id)).toEqual(a);
        expect(await f.store.get('no-such-alarm')).toBeNull();
      }));

    it('returns copies: mutating a result does not change the store', () =>
      withFixture(async (f) => {
        const a = alarm(f);
        await f.store.insert(a);
        const got = (await f.store.get(a.id))!;
        got.detail.peakScore = 99;
        got.severity = 'critical';
        expect((await f.store.get(a.id))!.detail.peakScore).toBe(0.9);
        expect((await f.store.get(a.id))!.severity).toBe('warning');
      }));

    it('allows one active alarm per device and type', () =>
      withFixture(async (f) => {
        const a = alarm(f);
        await f.store.insert(a);
        await expect(f.store.insert(alarm(f))).rejects.toBeInstanceOf(DuplicateActiveAlarmError);
        // other type, other device, or a cleared one are fine
        await f.store.insert(alarm(f, { type: 'offline' }));
        await f.store.insert(alarm(f, { deviceId: f.devices[1] }));
        await f.store.insert(alarm(f, { status: 'cleared', clearedAt: 500 }));
        expect((await f.store.findActive(f.devices[0], 'edge-anomaly'))!.id).toBe(a.id);
        expect(await f.store.findActive(f.devices[0], 'data-loss')).toBeNull();
      }));

    it('refuses to re-activate a cleared alarm while another is active', () =>
      withFixture(async (f) => {
        const old = alarm(f, { status: 'cleared', clearedAt: 900, openedAt: 500 });
        await f.store.insert(old);
        await f.store.insert(alarm(f));
        await expect(f.store.update(old.id, { status: 'active' })).rejects.toBeInstanceOf(DuplicateActiveAlarmError);
      }));

    it('update patches only the given fields and rejects unknown ids', () =>
      withFixture(async (f) => {
        const a = alarm(f);
        await f.store.insert(a);
        const u = await f.store.update(a.id, {
          status: 'cleared',
          clearedAt: 2_000,
          clearedBy: f.userId,
          cooldownUntil: 3_000,
          detail: { ...a.detail, clearReason: 'manual' },
        });
        expect(u).toEqual({
          ...a,
          status: 'cleared',
          clearedAt: 2_000,
          clearedBy: f.userId,
          cooldownUntil: 3_000,
          detail: { ...a.detail, clearReason: 'manual' },
        });
        expect(await f.store.get(a.id)).toEqual(u);
        expect(await f.store.findActive(a.deviceId, a.type)).toBeNull();
        await expect(f.store.update('no-such-alarm', { severity: 'critical' })).rejects.toThrow(/not found/);
      }));

    it('findLatest returns the most recently opened alarm of any status', () =>
      withFixture(async (f) => {
        await f.store.insert(alarm(f, { openedAt: 100, status: 'cleared', clearedAt: 150 }));
        const b = alarm(f, { openedAt: 300, status: 'cleared', clearedAt: 350 });
        await f.store.insert(b);
        await f.store.insert(alarm(f, { openedAt: 200, status: 'cleared', clearedAt: 250 }));
        await f.store.insert(alarm(f, { openedAt: 999, type: 'offline' }));
        expect((await f.store.findLatest(f.devices[0], 'edge-anomaly'))!.id).toBe(b.id);
        expect(await f.store.findLatest(f.devices[1], 'edge-anomaly')).toBeNull();
      }));

    it('lists per org, newest first, with open/all, device, type and paging filters', () =>
      withFixture(async (f) => {
        const active = alarm(f, { lastEventAt: 500 });
        const clearedUnacked = alarm(f, { type: 'offline', status: 'cleared', clearedAt: 400, lastEventAt: 400 });
        const done = alarm(f, {
          type: 'data-loss',
          status: 'cleared',
          acknowledged: true,
          ackBy: f.userId,
          ackAt: 300,
          clearedAt: 300,
          lastEventAt: 300,
        });
        const dev2 = alarm(f, { deviceId: f.devices[1], lastEventAt: 200 });
        const foreign = alarm(f, { orgId: f.otherOrgId, deviceId: f.otherOrgDevice, lastEventAt: 600 });
        for (const a of [active, clearedUnacked, done, dev2, foreign]) await f.store.insert(a);
        const ids = (xs: Alarm[]) => xs.map((x) => x.id);
        expect(ids(await f.store.list({ orgId: f.orgId }))).toEqual([active.id, clearedUnacked.id, done.id, dev2.id]);
        expect(ids(await f.store.list({ orgId: f.orgId, filter: 'open' }))).toEqual([active.id, clearedUnacked.id, dev2.id]);
        expect(ids(await f.store.list({ orgId: f.orgId, deviceId: f.devices[1] }))).toEqual([dev2.id]);
        expect(ids(await f.store.list({ orgId: f.orgId, type: 'offline' }))).toEqual([clearedUnacked.id]);
        expect(ids(await f.store.list({ orgId: f.orgId, before: 400, limit: 1 }))).toEqual([done.id]);
        expect(ids(await f.store.list({ orgId: f.otherOrgId }))).toEqual([foreign.id]);
      }));

    it('keeps notes and events per alarm, oldest first', () =>
      withFixture(async (f) => {
        const a = alarm(f);
        const b = alarm(f, { type: 'offline' });
        await f.store.insert(a);
        await f.store.insert(b);
        await f.store.addNote({ id: `${a.id}-n2`, alarmId: a.id, authorId: f.userId, text: '두 번째', createdAt: 20 });
        await f.store.addNote({ id: `${a.id}-n1`, alarmId: a.id, authorId: f.userId, text: 'first', createdAt: 10 });
        await f.store.addNote({ id: `${b.id}-n1`, alarmId: b.id, authorId: f.userId, text: 'other', createdAt: 5 });
        expect((await f.store.notes(a.id)).map((x) => x.text)).toEqual(['first', '두 번째']);
        await f.store.addEvent({
          id: `${a.id}-e1`,
          alarmId: a.id,
          kind: 'opened',
          at: 1,
          actorId: null,
          severity: 'warning',
          data: { windowsOver: 3 },
        });
        await f.store.addEvent({
          id: `${a.id}-e2`,
          alarmId: a.id,
          kind: 'acknowledged',
          at: 2,
          actorId: f.userId,
          severity: 'warning',
          data: {},
        });
        const ev = await f.store.events(a.id);
        expect(ev.map((e) => e.kind)).toEqual(['opened', 'acknowledged']);
        expect(ev[0].data).toEqual({ windowsOver: 3 });
        expect(await f.store.events(b.id)).toEqual([]);
      }));

    it('stores streaks per device and type', () =>
      withFixture(async (f) => {
        const s: Streak = {
          deviceId: f.devices[0],
          type: 'edge-anomaly',
          count: 2,
          highCount: 1,
          firstAt: 10,
          lastAt: 20,
          maxScore: 0.7,
        };
        expect(await f.store.getStreak(f.devices[0], 'edge-anomaly')).toBeNull();
        await f.store.putStreak(s);
        await f.store.putStreak({ ...s, deviceId: f.devices[1], count: 1 });
        expect(await f.store.getStreak(f.devices[0], 'edge-anomaly')).toEqual(s);
        await f.store.putStreak({ ...s, count: 3, lastAt: 30 });
        expect((await f.store.getStreak(f.devices[0], 'edge-anomaly'))!.count).toBe(3);
        await f.store.deleteStreak(f.devices[0], 'edge-anomaly');
        expect(await f.store.getStreak(f.devices[0], 'edge-anomaly')).toBeNull();
        expect((await f.store.getStreak(f.devices[1], 'edge-anomaly'))!.count).toBe(1);
      }));
  });
}
