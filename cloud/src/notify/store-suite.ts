/**
 * Behaviour every `DeliveryStore` must have; run it against each implementation (see
 * `memory-store.test.ts`). The fixture names existing rows so stores with foreign keys work.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryStore, NewDelivery } from './types.ts';

export interface DeliveryStoreFixture {
  store: DeliveryStore;
  orgId: string;
  userId: string;
  /** Two alarms of `orgId`, each with one alarm event. */
  alarms: [{ alarmId: string; eventId: string }, { alarmId: string; eventId: string }];
  cleanup?: () => Promise<void>;
}

function delivery(f: DeliveryStoreFixture, which: 0 | 1, target: string, over: Partial<NewDelivery> = {}): NewDelivery {
  const { alarmId, eventId } = f.alarms[which];
  return {
    dedupeKey: `${eventId}:${f.userId}:email:${target}`,
    orgId: f.orgId,
    alarmId,
    alarmEventId: eventId,
    userId: f.userId,
    channel: 'email',
    target,
    message: {
      locale: 'ko',
      title: '이상 소음 감지',
      body: '본문',
      short: '짧게',
      url: 'http://127.0.0.1/app/#/alarms/x',
      severity: 'warning',
      alarmId,
      kind: 'opened',
    },
    status: 'pending',
    reason: null,
    nextAttemptAt: 1_000,
    createdAt: 1_000,
    ...over,
  };
}

export function deliveryStoreSuite(name: string, make: () => Promise<DeliveryStoreFixture>): void {
  describe(`DeliveryStore behaviour: ${name}`, () => {
    async function withFixture(fn: (f: DeliveryStoreFixture) => Promise<void>) {
      const f = await make();
      try {
        await fn(f);
      } finally {
        await f.cleanup?.();
      }
    }

    it('enqueues, round-trips the message, and is idempotent on dedupeKey', () =>
      withFixture(async (f) => {
        const [a] = await f.store.enqueue([delivery(f, 0, 'a@example.com')]);
        expect(a).toMatchObject({ status: 'pending', attempts: 0, sentAt: null, providerMessageId: null, log: [] });
        expect(a.message.title).toBe('이상 소음 감지');
        expect(await f.store.get(a.id)).toEqual(a);
        const again = await f.store.enqueue([delivery(f, 0, 'a@example.com'), delivery(f, 0, 'b@example.com')]);
        expect(again[0].id).toBe(a.id);
        expect(again[1].id).not.toBe(a.id);
        expect(await f.store.listByAlarm(f.alarms[0].alarmId)).toHaveLength(2);
        expect(await f.store.get('no-such-delivery')).toBeNull();
      }));

    it('claims due pending deliveries oldest first, once, with a lease', () =>
      withFixture(async (f) => {
        await f.store.enqueue([
          delivery(f, 0, 'late@example.com', { nextAttemptAt: 3_000 }),
          delivery(f, 0, 'early@example.com', { nextAttemptAt: 1_000 }),
          delivery(f, 0, 'mid@example.com', { nextAttemptAt: 2_000 }),
          delivery(f, 0, 'quiet@example.com', { status: 'suppressed', reason: 'quiet-hours', nextAttemptAt: null }),
        ]);
        const first = await f.store.claimDue(2_500, 10, 60_000);
        expect(first.map((d) => d.target)).toEqual(['early@example.com', 'mid@example.com']);
        // leased: a second worker right after gets nothing new
        expect(await f.store.claimDue(2_600, 10, 60_000)).toEqual([]);
        // the lease runs out: they come back, behind the one that was due all along
        const later = await f.store.claimDue(62_600, 10, 60_000);
        expect(later.map((d) => d.target)).toEqual(['late@example.com', 'early@example.com', 'mid@example.com']);
        expect(await f.store.claimDue(62_700, 10, 60_000)).toEqual([]);
      }));

    it('markSent records the attempt and stops further claims', () =>
      withFixture(async (f) => {
        const [d] = await f.store.enqueue([delivery(f, 0, 'a@example.com')]);
        const sent = await f.store.markSent(d.id, { at: 1_500, ok: true, providerMessageId: 'msg-1', httpStatus: 250 });
        expect(sent).toMatchObject({ status: 'sent', attempts: 1, sentAt: 1_500, providerMessageId: 'msg-1' });
        expect(sent.log).toEqual([{ at: 1_500, ok: true, providerMessageId: 'msg-1', httpStatus: 250 }]);
        expect(await f.store.claimDue(10_000, 10, 1)).toEqual([]);
      }));

    it('markFailed retries later or gives up with a reason', () =>
      withFixture(async (f) => {
        const [d] = await f.store.enqueue([delivery(f, 0, 'a@example.com')]);
        const retry = await f.store.markFailed(d.id, { at: 1_100, ok: false, error: '503', httpStatus: 503 }, 5_000);
        expect(retry).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: 5_000 });
        expect(await f.store.claimDue(4_999, 10, 1_000)).toEqual([]);
        expect((await f.store.claimDue(5_000, 10, 1_000)).map((x) => x.id)).toEqual([d.id]);
        const dead = await f.store.markFailed(d.id, { at: 5_100, ok: false, error: 'invalid number' }, null, 'permanent');
        expect(dead).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: null, reason: 'permanent' });
        expect(dead.log.map((l) => l.error)).toEqual(['503', 'invalid number']);
        expect(await f.store.claimDue(1e12, 10, 1_000)).toEqual([]);
      }));

    it('lists by alarm, oldest first, and keeps suppressed entries as log rows', () =>
      withFixture(async (f) => {
        await f.store.enqueue([
          delivery(f, 0, 'second@example.com', { createdAt: 2_000 }),
          delivery(f, 1, 'other@example.com'),
          delivery(f, 0, 'first@example.com', {
            createdAt: 1_000,
            status: 'suppressed',
            reason: 'quiet-hours',
            nextAttemptAt: null,
          }),
        ]);
        const rows = await f.store.listByAlarm(f.alarms[0].alarmId);
        expect(rows.map((r) => [r.target, r.status, r.reason])).toEqual([
          ['first@example.com', 'suppressed', 'quiet-hours'],
          ['second@example.com', 'pending', null],
        ]);
      }));
  });
}
