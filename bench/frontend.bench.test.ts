import { describe, expect, it } from 'vitest';
import { run } from './frontend.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('frontend benchmark module', () => {
  it('returns the documented figures with positive finite medians', async () => {
    const figures = await run({ quick: true });
    expect(figures.map((f) => f.id)).toEqual([
      'frontend.realtime_factor',
      'frontend.stream_realtime_factor',
      'frontend.frame_us',
      'frontend.fft_us',
      'frontend.resample_44k1_realtime_factor',
    ]);
    for (const f of figures) {
      expect(Number.isFinite(f.value) && f.value > 0, f.id).toBe(true);
      expect(f.runs).toBeGreaterThanOrEqual(3);
    }
  });
});
