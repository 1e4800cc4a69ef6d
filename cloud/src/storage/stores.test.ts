import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { alarmStoreSuite } from '../alarms/store-suite.ts';
import { openDatabase } from '../db/client.ts';
import { deliveryStoreSuite } from '../notify/store-suite.ts';
import { DrizzleAlarmStore } from './alarm-store.ts';
import { DrizzleDeliveryStore } from './notify-store.ts';

async function tempDb() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-store-'));
  const database = await openDatabase(`file:${path.join(dir, 'x.db')}`);
  return {
    database,
    cleanup: async () => {
      database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// The same behaviour suites the in-memory stores pass, run against libSQL.
alarmStoreSuite('drizzle/libsql', async () => {
  const { database, cleanup } = await tempDb();
  return {
    store: new DrizzleAlarmStore(database.db),
    orgId: 'org-a',
    otherOrgId: 'org-b',
    devices: ['dev-1', 'dev-2'],
    otherOrgDevice: 'dev-b1',
    userId: 'user-1',
    cleanup,
  };
});

deliveryStoreSuite('drizzle/libsql', async () => {
  const { database, cleanup } = await tempDb();
  return {
    store: new DrizzleDeliveryStore(database.db),
    orgId: 'org-a',
    userId: 'user-1',
    alarms: [
      { alarmId: 'alarm-1', eventId: 'event-1' },
      { alarmId: 'alarm-2', eventId: 'event-2' },
    ],
    cleanup,
  };
});
