import { describe, expect, it } from 'vitest';
import { run } from './alarms.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('alarms benchmark module', () => {
  it('returns the documented figures with positive finite medians', async () => {
    const figures = await run({ quick: true });
    expect(figures.map((f) => f.id)).toEqual([
      'alarms.engine_windows_per_s_memory',
      'alarms.engine_windows_per_s_libsql',
      'notify.deliveries_per_s_kakao_local',
    ]);
    for (const f of figures) {
      expect(Number.isFinite(f.value) && f.value > 0, f.id).toBe(true);
      expect(f.runs).toBeGreaterThanOrEqual(3);
    }
    // The mix really exercises the rules (alarms open and clear), not just the no-op path.
    expect((figures[0].detail as { transitionsPerRun: number }).transitionsPerRun).toBeGreaterThan(0);
  });
});
