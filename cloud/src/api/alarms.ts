import { eq, inArray } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AlarmService } from '../alarm-service.ts';
import { AlarmNotFoundError, AlarmStateError } from '../alarms/types.ts';
import { requireRole, requireUser, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { devices, machines, sites, users } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { readJson, readQuery } from '../http/body.ts';
import { DrizzleDeliveryStore } from '../storage/notify-store.ts';

const listQuery = z.object({
  status: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(0).optional(),
});
export const assignBody = z.object({ userId: z.string().min(1).max(64).nullable() });
export const noteBody = z.object({ text: z.string().trim().min(1, 'a note needs some text').max(4000) });

/** GET /api/alarms, GET /api/alarms/:id, POST ack|assign|notes|clear (technician or higher). */
export function alarmRoutes(ctx: AppContext, service: AlarmService): Hono<UserEnv> {
  const app = new Hono<UserEnv>();
  const store = service.engine.store;
  const deliveriesStore = new DrizzleDeliveryStore(ctx.db);

  const mine = async (orgId: string, id: string) => {
    const a = await store.get(id);
    if (!a || a.orgId !== orgId) throw notFound('alarm');
    return a;
  };
  const lifecycle = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AlarmStateError) throw new ApiError(409, 'alarm_state', err.message);
      if (err instanceof AlarmNotFoundError) throw notFound('alarm');
      throw err;
    }
  };

  app.get('/alarms', async (c) => {
    const me = requireUser(c);
    const q = readQuery(c, listQuery, 'alarm list query');
    const list = await store.list({ orgId: me.orgId, filter: q.status, limit: q.limit, before: q.before });
    const ids = [...new Set(list.map((a) => a.deviceId))];
    const names = ids.length
      ? await ctx.db
          .select({ id: devices.id, deviceName: devices.name, machineName: machines.name, siteName: sites.name })
          .from(devices)
          .innerJoin(machines, eq(machines.id, devices.machineId))
          .innerJoin(sites, eq(sites.id, machines.siteId))
          .where(inArray(devices.id, ids))
      : [];
    const byId = new Map(names.map((n) => [n.id, n]));
    return c.json(
      list.map((a) => ({
        ...a,
        deviceName: byId.get(a.deviceId)?.deviceName ?? null,
        machineName: byId.get(a.deviceId)?.machineName ?? null,
        siteName: byId.get(a.deviceId)?.siteName ?? null,
      })),
    );
  });

  app.get('/alarms/:id', async (c) => {
    const me = requireUser(c);
    const a = await mine(me.orgId, c.req.param('id'));
    const [notes, events, deliveries] = await Promise.all([
      store.notes(a.id),
      store.events(a.id),
      deliveriesStore.listByAlarm(a.id),
    ]);
    return c.json({
      ...a,
      notes,
      events,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        userId: d.userId,
        channel: d.channel,
        status: d.status,
        reason: d.reason,
        attempts: d.attempts,
        sentAt: d.sentAt,
        createdAt: d.createdAt,
        nextAttemptAt: d.nextAttemptAt,
        log: d.log,
      })),
    });
  });

  app.post('/alarms/:id/ack', async (c) => {
    const me = requireRole(c, 'technician');
    const a = await mine(me.orgId, c.req.param('id'));
    const t = await lifecycle(() => service.engine.acknowledge(a.id, { userId: me.id }, ctx.now()));
    await service.emit([t]);
    return c.json((await store.get(a.id))!);
  });

  app.post('/alarms/:id/assign', async (c) => {
    const me = requireRole(c, 'technician');
    const a = await mine(me.orgId, c.req.param('id'));
    const body = await readJson(c, assignBody, 'assignment');
    if (body.userId) {
      const [u] = await ctx.db.select({ orgId: users.orgId }).from(users).where(eq(users.id, body.userId));
      if (!u || u.orgId !== me.orgId) throw new ApiError(422, 'unknown_user', 'the assignee must be a user of your organisation');
    }
    const t = await lifecycle(() => service.engine.assign(a.id, body.userId, { userId: me.id }, ctx.now()));
    await service.emit([t]);
    return c.json((await store.get(a.id))!);
  });

  app.post('/alarms/:id/notes', async (c) => {
    const me = requireRole(c, 'technician');
    const a = await mine(me.orgId, c.req.param('id'));
    const body = await readJson(c, noteBody, 'note');
    const { note, transition } = await lifecycle(() => service.engine.addNote(a.id, { userId: me.id }, body.text, ctx.now()));
    await service.emit([transition]);
    return c.json(note, 201);
  });

  app.post('/alarms/:id/clear', async (c) => {
    const me = requireRole(c, 'technician');
    const a = await mine(me.orgId, c.req.param('id'));
    const t = await lifecycle(() => service.engine.clear(a.id, { userId: me.id }, ctx.now()));
    await service.emit([t]);
    return c.json((await store.get(a.id))!);
  });

  return app;
}
