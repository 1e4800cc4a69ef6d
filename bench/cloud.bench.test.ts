import { describe, expect, it } from 'vitest';
import { loadRun } from './cloud.bench.ts';

// Shape only: speed is judged by `npm run bench`, never by a timed unit test.
describe('cloud benchmark load generator', () => {
  it('stores every window it sends and reports finite figures', async () => {
    const r = await loadRun({ devices: 5, seconds: 0.3, concurrency: 4, windowsPerBatch: 3 });
    expect(r.errors).toBe(0);
    expect(r.windows).toBe(r.requests * 3);
    expect(r.windowsPerS).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  });
});
