import { MemoryDeliveryStore } from './memory-store.ts';
import { deliveryStoreSuite } from './store-suite.ts';

deliveryStoreSuite('memory', async () => ({
  store: new MemoryDeliveryStore(),
  orgId: 'org-a',
  userId: 'user-1',
  alarms: [
    { alarmId: 'alarm-1', eventId: 'event-1' },
    { alarmId: 'alarm-2', eventId: 'event-2' },
  ],
}));
