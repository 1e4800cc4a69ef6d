import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows the burst, then refills at the sustained rate', () => {
    let now = 0;
    const rl = new RateLimiter(2, 1, () => now);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 1]);
    now = 1000;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('b')).toBe(0);
  });

  it('drops idle buckets once it holds MAX_KEYS, so memory stays bounded', () => {
    let now = 0;
    const rl = new RateLimiter(2, 1, () => now);
    for (let i = 0; i < RateLimiter.MAX_KEYS; i++) rl.take(`ip-${i}`);
    expect(rl.size).toBe(RateLimiter.MAX_KEYS);
    now = 5000; // every bucket is full again
    rl.take('new-client');
    expect(rl.size).toBe(1);
  });
});
