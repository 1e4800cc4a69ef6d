/**
 * Alarm rules and notification throughput: how many verdict windows per second the alarm engine
 * digests (pure logic on the in-memory store, and on the service's libSQL store), and how many
 * deliveries per second the dispatcher queues and sends to a local Kakao-protocol server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryAlarmStore } from '../cloud/src/alarms/memory-store.ts';
import { AlarmEngine } from '../cloud/src/alarms/rules.ts';
import type { AlarmStore, EdgeWindowEvent } from '../cloud/src/alarms/types.ts';
import { openDatabase } from '../cloud/src/db/client.ts';
import { createKakaoChannel } from '../cloud/src/notify/channels/kakao.ts';
import { NotificationDispatcher } from '../cloud/src/notify/dispatcher.ts';
import { MemoryDeliveryStore, MemoryRecipientDirectory } from '../cloud/src/notify/memory-store.ts';
import { startKakaoServer } from '../cloud/src/notify/testing/kakao-server.ts';
import { DrizzleAlarmStore } from '../cloud/src/storage/alarm-store.ts';
import { type BenchFigure, median } from './types.ts';

/**
 * A realistic mix for `devices` devices: mostly normal windows, a few watch windows, and every 200th
 * window starts a 6-window anomaly run (so alarms open, escalate and clear along the way).
 */
function windows(n: number, devices: number): EdgeWindowEvent[] {
  const out: EdgeWindowEvent[] = [];
  for (let i = 0; i < n; i++) {
    const d = i % devices;
    const k = Math.floor(i / devices);
    const inRun = k % 200 < 6;
    const score = inRun ? 0.7 + (k % 3) * 0.1 : k % 17 === 0 ? 0.45 : 0.2;
    out.push({
      orgId: 'org-bench',
      deviceId: `dev-${d}`,
      machineId: `m-${d}`,
      t: 1_700_000_000_000 + k * 5_000,
      score,
      state: inRun ? 'alarm' : score >= 0.4 ? 'watch' : 'normal',
      threshold: 0.5,
    });
  }
  return out;
}

const DEVICES = 10;
/** Windows per verdict batch (one minute of 5 s windows); the protocol allows 1..120. */
const BATCH = 12;

async function engineRate(makeStore: () => Promise<{ store: AlarmStore; done(): Promise<void> }>, n: number, runs: number) {
  const rates: number[] = [];
  let transitions = 0;
  for (let r = 0; r < runs; r++) {
    const { store, done } = await makeStore();
    const engine = new AlarmEngine(store);
    const events = windows(n, DEVICES);
    // Regroup into per-device batches, the shape the ingestion path hands to onEdgeWindows.
    const batches: EdgeWindowEvent[][] = [];
    for (let start = 0; start < events.length; start += DEVICES * BATCH) {
      const slab = events.slice(start, start + DEVICES * BATCH);
      for (let d = 0; d < DEVICES; d++) batches.push(slab.filter((e) => e.deviceId === `dev-${d}`));
    }
    const t = performance.now();
    // Ten devices' batches in flight at once, as concurrent HTTP requests would be.
    for (let i = 0; i < batches.length; i += DEVICES) {
      transitions += (await Promise.all(batches.slice(i, i + DEVICES).map((b) => engine.onEdgeWindows(b)))).flat().length;
    }
    rates.push(n / ((performance.now() - t) / 1000));
    await done();
  }
  return { rate: median(rates), rates, transitions: transitions / runs };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const runs = quick ? 3 : 7;

  const mem = await engineRate(
    async () => ({ store: new MemoryAlarmStore(), done: async () => {} }),
    quick ? 2_000 : 20_000,
    runs,
  );

  const db = await engineRate(
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-bench-alarms-'));
      const database = await openDatabase(`file:${path.join(dir, 'bench.db')}`);
      return {
        store: new DrizzleAlarmStore(database.db),
        done: async () => {
          database.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
    quick ? 480 : 4_800,
    runs,
  );

  // Dispatcher: one critical alarm to 50 users with Kakao on, sent to a local Kakao-protocol server.
  const kakao = await startKakaoServer({ validTokens: ['tok'] });
  const users = 50;
  const deliveryRates: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const alarms = new MemoryAlarmStore();
      const directory = new MemoryRecipientDirectory();
      for (let u = 0; u < users; u++) {
        directory.add('org-bench', {
          userId: `u-${u}`,
          locale: u % 2 ? 'en' : 'ko',
          kakaoAccessToken: 'tok',
          pushSubscriptions: [],
          preferences: {
            locale: u % 2 ? 'en' : 'ko',
            channels: { email: false, sms: false, kakao: true, push: false },
            quietHours: null,
          },
        });
      }
      const deliveries = new MemoryDeliveryStore();
      const d = new NotificationDispatcher({
        deliveries,
        directory,
        channels: { kakao: createKakaoChannel({ baseUrl: kakao.url }) },
        alarmUrl: (a) => `http://127.0.0.1/app/alarms/${a.id}`,
        batchSize: users,
      });
      const engine = new AlarmEngine(alarms);
      const [opened] = await engine.onEdgeWindows(windows(30, 1).map((w) => ({ ...w, score: 0.9, state: 'alarm' as const })));
      const t = performance.now();
      await d.dispatch(opened, opened.alarm.lastEventAt);
      const s = await d.processDue(opened.alarm.lastEventAt);
      if (s.sent !== users) throw new Error(`bench: expected ${users} sends, got ${JSON.stringify(s)}`);
      deliveryRates.push(users / ((performance.now() - t) / 1000));
    }
  } finally {
    await kakao.close();
  }

  return [
    {
      id: 'alarms.engine_windows_per_s_memory',
      label: 'alarm rules: verdict windows/s (in-memory store, 10 devices, 12-window batches)',
      value: mem.rate,
      unit: 'windows/s',
      runs,
      detail: { rates: mem.rates, transitionsPerRun: mem.transitions },
    },
    {
      id: 'alarms.engine_windows_per_s_libsql',
      label: 'alarm rules: verdict windows/s (libSQL file store, 10 devices, 12-window batches)',
      value: db.rate,
      unit: 'windows/s',
      runs,
      detail: { rates: db.rates, transitionsPerRun: db.transitions },
    },
    {
      id: 'notify.deliveries_per_s_kakao_local',
      label: 'notifications: render + queue + send to a local Kakao API, deliveries/s (50 users)',
      value: median(deliveryRates),
      unit: 'deliveries/s',
      runs,
      detail: { rates: deliveryRates },
    },
  ];
}
