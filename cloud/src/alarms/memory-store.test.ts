import { MemoryAlarmStore } from './memory-store.ts';
import { alarmStoreSuite } from './store-suite.ts';

alarmStoreSuite('memory', async () => ({
  store: new MemoryAlarmStore(),
  orgId: 'org-a',
  otherOrgId: 'org-b',
  devices: ['dev-1', 'dev-2'],
  otherOrgDevice: 'dev-b1',
  userId: 'user-1',
}));
