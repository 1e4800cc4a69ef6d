import { eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { AppContext } from '../context.ts';
import { devices } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { sha256Hex } from '../ids.ts';

export type DeviceRecord = typeof devices.$inferSelect;
export type DeviceEnv = { Variables: { device: DeviceRecord } };

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** Looks the bearer token up by its sha256; refuses unknown and decommissioned devices, then rate-limits. */
export function deviceAuth(ctx: AppContext): MiddlewareHandler<DeviceEnv> {
  return async function deviceAuth(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'unauthorized', 'send the device token as Authorization: Bearer <token>');
    const [device] = await ctx.db
      .select()
      .from(devices)
      .where(eq(devices.tokenHash, sha256Hex(token)));
    if (!device) throw new ApiError(401, 'unauthorized', 'unknown device token');
    if (device.status !== 'active') throw new ApiError(401, 'revoked', 'this device was decommissioned; its token is revoked');
    const wait = ctx.deviceLimiter.take(device.id);
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', `too many requests from this device; retry in ${wait} s`, undefined, {
        'retry-after': String(wait),
      });
    }
    c.set('device', device);
    await next();
  };
}

/** The body's deviceId must be the one the token belongs to. */
export function assertSameDevice(device: DeviceRecord, deviceId: string): void {
  if (device.id !== deviceId) {
    throw new ApiError(403, 'device_mismatch', `the token belongs to device ${device.id}, not ${deviceId}`);
  }
}
