import { describe, expect, it } from 'vitest';
import { run } from './firmware.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('firmware benchmark module', () => {
  it('returns the documented figures with positive finite values', async () => {
    const figures = await run({ quick: true });
    expect(figures.map((f) => f.id)).toEqual([
      'firmware.host_realtime_factor',
      'firmware.host_frame_us',
      'firmware.host_inference_us',
      'firmware.adpcm_us_per_s',
      'firmware.model_flash_kb',
      'firmware.arena_kb',
      'firmware.core_ram_kb',
    ]);
    for (const f of figures) expect(Number.isFinite(f.value) && f.value > 0, f.id).toBe(true);
  }, 300_000);
});
