import { describe, expect, it } from 'vitest';
import { run } from './ensemble.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('ensemble benchmark module', () => {
  it('returns the documented figures with positive finite medians', async () => {
    const figures = await run({ quick: true });
    const ids = figures.map((f) => f.id);
    expect(ids).toContain('ensemble.train_small_s');
    expect(ids).toContain('ensemble.rescore_2s_ms');
    expect(ids).toContain('ensemble.features_2s_ms');
    for (const f of figures) expect(Number.isFinite(f.value) && f.value > 0, f.id).toBe(true);
  });
});
