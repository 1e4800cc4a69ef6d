import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verdictRollups, verdictWindows } from '../db/schema.ts';
import { call, startTestServer } from '../testing/harness.ts';
import { pruneOld } from './retention.ts';

const DAY = 24 * 3600_000;

describe('retention', () => {
  it('drops raw windows after RETENTION_RAW_DAYS but keeps the roll-ups longer', async () => {
    const s = await startTestServer({
      RETENTION_RAW_DAYS: 7,
      RETENTION_MINUTE_DAYS: 30,
      RETENTION_HOUR_DAYS: 365,
      DEVICE_RATE_BURST: 100,
    });
    try {
      const d = await s.addDevice();
      const now = Date.now();
      const post = (seq: number, t: number) =>
        call(s.url, 'POST', '/api/v1/device/verdicts', {
          token: d.token,
          body: {
            v: 1,
            deviceId: d.deviceId,
            bootId: 'aaaabbbb',
            seq,
            modelSha256: 'f'.repeat(64),
            windows: [{ t, score: 0.5, state: 'normal', levelDb: -40 }],
          },
        });
      await post(1, now - 100 * DAY);
      await post(2, now - 10 * DAY);
      await post(3, now - 1 * DAY);
      const r = await pruneOld(s.ctx, now);
      expect(r.rawWindows).toBe(2);
      const raw = await s.ctx.db.select().from(verdictWindows).where(eq(verdictWindows.deviceId, d.deviceId));
      expect(raw.map((w) => w.seq)).toEqual([3]);
      const minute = await s.ctx.db.select().from(verdictRollups).where(eq(verdictRollups.res, 'minute'));
      expect(minute).toHaveLength(2);
      const hour = await s.ctx.db.select().from(verdictRollups).where(eq(verdictRollups.res, 'hour'));
      expect(hour).toHaveLength(3);
    } finally {
      await s.dispose();
    }
  });
});
