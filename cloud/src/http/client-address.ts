import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The peer address, for per-client rate limits. Behind a reverse proxy every request comes from the
 * proxy: set TRUST_PROXY=1 so the first X-Forwarded-For entry is used instead.
 */
export function clientAddress(c: Context): string {
  if (process.env.TRUST_PROXY === '1') {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
