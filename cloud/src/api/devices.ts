import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, requireUser, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { devices, machines, sites } from '../db/schema.ts';
import { isOffline } from '../device/routes.ts';
import { notFound } from '../errors.ts';
import { registerDevice } from '../fleet/registry.ts';
import { readJson } from '../http/body.ts';

const name = z.string().trim().min(1).max(100);
export const newDeviceBody = z.object({
  name,
  siteName: name,
  machineName: name,
  compressorType: z.string().trim().min(1).max(60),
  location: z.string().trim().max(200).default(''),
});
export const patchDeviceBody = z.object({ name });

const deviceColumns = {
  id: devices.id,
  name: devices.name,
  status: devices.status,
  machineId: devices.machineId,
  machineName: machines.name,
  siteName: sites.name,
  compressorType: machines.compressorType,
  location: machines.location,
  lastSeen: devices.lastSeen,
  firmware: devices.firmware,
  modelSha256: devices.modelSha256,
  rssi: devices.rssi,
  freeHeap: devices.freeHeap,
  outboxDepth: devices.outboxDepth,
  uptimeS: devices.uptimeS,
  lastScore: devices.lastScore,
  lastState: devices.lastState,
  createdAt: devices.createdAt,
  decommissionedAt: devices.decommissionedAt,
};

export function deviceQuery(ctx: AppContext) {
  return ctx.db
    .select(deviceColumns)
    .from(devices)
    .innerJoin(machines, eq(machines.id, devices.machineId))
    .innerJoin(sites, eq(sites.id, machines.siteId));
}

export function withOnline<T extends { lastSeen: number | null; status: string; modelSha256?: string | null }>(
  ctx: AppContext,
  d: T,
) {
  return {
    ...d,
    online: d.status === 'active' && !isOffline(ctx, d.lastSeen),
    /** null until the device has sent a heartbeat or there is no model to compare with. */
    modelUpToDate: ctx.model && d.modelSha256 ? d.modelSha256 === ctx.model.sha256 : null,
  };
}

/** GET/POST /api/devices, PATCH /api/devices/:id, POST /api/devices/:id/decommission. */
export function deviceAdminRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();

  app.get('/devices', async (c) => {
    const me = requireUser(c);
    const rows = await deviceQuery(ctx).where(eq(devices.orgId, me.orgId));
    return c.json(rows.map((d) => withOnline(ctx, d)));
  });

  app.post('/devices', async (c) => {
    const me = requireRole(c, 'admin');
    const body = await readJson(c, newDeviceBody, 'new device');
    const { device, token } = await ctx.database.write((tx) => registerDevice(tx, me.orgId, body));
    const [row] = await deviceQuery(ctx).where(eq(devices.id, device.id));
    const flasherUrl = `${ctx.config.publicUrl}/flasher/?device=${encodeURIComponent(device.id)}&cloud=${encodeURIComponent(ctx.config.publicUrl)}`;
    return c.json({ device: withOnline(ctx, row), provisioningToken: token, flasherUrl }, 201);
  });

  app.patch('/devices/:id', async (c) => {
    const me = requireRole(c, 'admin');
    const body = await readJson(c, patchDeviceBody, 'device update');
    const changed = await ctx.db
      .update(devices)
      .set({ name: body.name })
      .where(and(eq(devices.id, c.req.param('id')), eq(devices.orgId, me.orgId)))
      .returning({ id: devices.id });
    if (!changed.length) throw notFound('device');
    const [row] = await deviceQuery(ctx).where(eq(devices.id, changed[0].id));
    return c.json(withOnline(ctx, row));
  });

  app.post('/devices/:id/decommission', async (c) => {
    const me = requireRole(c, 'admin');
    const changed = await ctx.db
      .update(devices)
      .set({ status: 'decommissioned', decommissionedAt: ctx.now(), online: false })
      .where(and(eq(devices.id, c.req.param('id')), eq(devices.orgId, me.orgId)))
      .returning({ id: devices.id });
    if (!changed.length) throw notFound('device');
    const [row] = await deviceQuery(ctx).where(eq(devices.id, changed[0].id));
    return c.json(withOnline(ctx, row));
  });

  return app;
}
