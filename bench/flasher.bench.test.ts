import { describe, expect, it } from 'vitest';
import { run } from './flasher.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('flasher benchmark module', () => {
  it('returns the documented figures with positive finite medians', async () => {
    const figures = await run({ quick: true });
    expect(figures.map((f) => f.id)).toEqual([
      'flasher.write_kib_per_s_deflate',
      'flasher.write_kib_per_s_raw',
      'flasher.improv_provision_ms',
    ]);
    for (const f of figures) {
      expect(Number.isFinite(f.value) && f.value > 0, f.id).toBe(true);
      expect(f.runs).toBeGreaterThanOrEqual(3);
    }
  });
});
