/**
 * Token bucket per key (device id): `burst` requests at once, refilled at `perSecond`. In memory:
 * with several instances each enforces its own bucket, so the effective limit scales with the
 * instance count (documented in the README).
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private burst: number,
    private perSecond: number,
    private now: () => number = Date.now,
  ) {}

  /** Buckets kept before idle (full again) ones are dropped, so many client addresses cannot grow memory. */
  static MAX_KEYS = 10_000;

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(k);
  }

  /** 0 when allowed (a token is taken), else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    if (this.buckets.size >= RateLimiter.MAX_KEYS && !this.buckets.has(key)) this.prune(now);
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}
