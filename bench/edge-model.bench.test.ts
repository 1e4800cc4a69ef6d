import { describe, expect, it, vi } from 'vitest';
import { run } from './edge-model.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('edge-model benchmark module', () => {
  it('returns the documented figures with finite values', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const figures = await run({ quick: true });
    expect(figures.map((f) => f.id)).toEqual([
      'edge.train_2min_s',
      'edge.train_default_s',
      'edge.export_s',
      'edge.int8_float_score_correlation',
      'edge.tflite_max_abs_diff',
      'edge.model_flash_bytes',
    ]);
    for (const f of figures) expect(Number.isFinite(f.value) && f.value >= 0, f.id).toBe(true);
    expect(figures[3].value).toBeGreaterThan(0.9);
    expect(figures[4].value).toBeLessThanOrEqual(2);
  }, 120_000);
});
