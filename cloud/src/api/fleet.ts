import { and, asc, desc, eq, gte, lte, or, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireUser, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { alarms, clips, cloudVerdicts, devices, machines, sites, verdictRollups, verdictWindows } from '../db/schema.ts';
import { RANK_STATE } from '../device/ingest.ts';
import { deviceConfigFor, isOffline } from '../device/routes.ts';
import { ApiError, notFound } from '../errors.ts';
import { readQuery } from '../http/body.ts';
import { withOnline } from './devices.ts';

export const HEALTH_ORDER = ['alarm', 'watch', 'offline', 'learning', 'normal'] as const;
export type Health = (typeof HEALTH_ORDER)[number];

const timelineQuery = z.object({
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  res: z.enum(['raw', 'minute', 'hour']).optional(),
});

/** Raw points up to ~6 h, minute buckets up to ~7 days, hour buckets beyond. */
export function chooseResolution(spanMs: number): 'raw' | 'minute' | 'hour' {
  if (spanMs <= 6 * 3600_000) return 'raw';
  if (spanMs <= 7 * 24 * 3600_000) return 'minute';
  return 'hour';
}

/** Alarms that need a human: active, or cleared but not yet acknowledged. */
export const openAlarm = or(eq(alarms.status, 'active'), eq(alarms.acknowledged, false));

/** GET /api/fleet, /api/machines/:id[/timeline|/alarms|/clips]. */
export function fleetRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();

  app.get('/fleet', async (c) => {
    const me = requireUser(c);
    const rows = await ctx.db
      .select({
        machineId: machines.id,
        machineName: machines.name,
        siteName: sites.name,
        compressorType: machines.compressorType,
        location: machines.location,
        deviceId: devices.id,
        deviceName: devices.name,
        lastSeen: devices.lastSeen,
        lastScore: devices.lastScore,
        lastState: devices.lastState,
      })
      .from(devices)
      .innerJoin(machines, eq(machines.id, devices.machineId))
      .innerJoin(sites, eq(sites.id, machines.siteId))
      .where(and(eq(devices.orgId, me.orgId), eq(devices.status, 'active')));
    const counts = await ctx.db
      .select({
        deviceId: alarms.deviceId,
        n: sql<number>`count(*)`,
        active: sql<number>`sum(case when ${alarms.status} = 'active' and ${alarms.type} in ('edge-anomaly','cloud-anomaly') then 1 else 0 end)`,
      })
      .from(alarms)
      .where(and(eq(alarms.orgId, me.orgId), openAlarm))
      .groupBy(alarms.deviceId);
    const byDevice = new Map(counts.map((r) => [r.deviceId, r]));
    const fleet = rows.map(({ lastState, ...r }) => {
      const open = byDevice.get(r.deviceId);
      let health: Health;
      if ((open?.active ?? 0) > 0 || lastState === 'alarm') health = 'alarm';
      else if (isOffline(ctx, r.lastSeen)) health = 'offline';
      else if (lastState === 'watch') health = 'watch';
      else if (lastState === 'learning' || lastState === null) health = 'learning';
      else health = 'normal';
      return { ...r, health, openAlarms: Number(open?.n ?? 0) };
    });
    fleet.sort(
      (a, b) =>
        HEALTH_ORDER.indexOf(a.health) - HEALTH_ORDER.indexOf(b.health) ||
        (b.lastScore ?? 0) - (a.lastScore ?? 0) ||
        a.machineName.localeCompare(b.machineName),
    );
    return c.json(fleet);
  });

  const machineOf = async (orgId: string, id: string) => {
    const [m] = await ctx.db
      .select({
        id: machines.id,
        name: machines.name,
        compressorType: machines.compressorType,
        location: machines.location,
        siteId: sites.id,
        siteName: sites.name,
      })
      .from(machines)
      .innerJoin(sites, eq(sites.id, machines.siteId))
      .where(and(eq(machines.id, id), eq(machines.orgId, orgId)));
    if (!m) throw notFound('machine');
    return m;
  };
  const deviceOf = async (machineId: string) => {
    const [d] = await ctx.db
      .select()
      .from(devices)
      .where(eq(devices.machineId, machineId))
      .orderBy(desc(devices.createdAt))
      .limit(1);
    return d ?? null;
  };

  app.get('/machines/:id', async (c) => {
    const me = requireUser(c);
    const machine = await machineOf(me.orgId, c.req.param('id'));
    const d = await deviceOf(machine.id);
    const device = d
      ? withOnline(ctx, {
          id: d.id,
          name: d.name,
          status: d.status,
          lastSeen: d.lastSeen,
          firmware: d.firmware,
          modelSha256: d.modelSha256,
          rssi: d.rssi,
          freeHeap: d.freeHeap,
          outboxDepth: d.outboxDepth,
          uptimeS: d.uptimeS,
          lastScore: d.lastScore,
          lastState: d.lastState,
        })
      : null;
    const config = d
      ? deviceConfigFor(ctx, d)
      : deviceConfigFor(ctx, { alertThreshold: null, borderlineLow: null, cadenceS: null });
    return c.json({ machine, device, thresholds: config.thresholds, cadenceS: config.cadenceS, model: config.model });
  });

  app.get('/machines/:id/timeline', async (c) => {
    const me = requireUser(c);
    const machine = await machineOf(me.orgId, c.req.param('id'));
    const q = readQuery(c, timelineQuery, 'timeline query');
    const to = q.to ?? ctx.now();
    const from = q.from ?? to - 24 * 3600_000;
    if (from > to) throw new ApiError(422, 'schema', 'from must not be after to');
    const res = q.res ?? chooseResolution(to - from);
    const d = await deviceOf(machine.id);
    const thresholds = (
      d ? deviceConfigFor(ctx, d) : deviceConfigFor(ctx, { alertThreshold: null, borderlineLow: null, cadenceS: null })
    ).thresholds;
    let points: { t: number; mean: number; max: number; n: number; state: string }[];
    const LIMIT = 20_000;
    if (res === 'raw') {
      const rows = await ctx.db
        .select({ t: verdictWindows.t, score: verdictWindows.score, state: verdictWindows.state })
        .from(verdictWindows)
        .where(and(eq(verdictWindows.machineId, machine.id), gte(verdictWindows.t, from), lte(verdictWindows.t, to)))
        .orderBy(asc(verdictWindows.t))
        .limit(LIMIT);
      points = rows.map((r) => ({ t: r.t, mean: r.score, max: r.score, n: 1, state: r.state }));
    } else {
      const ms = res === 'minute' ? 60_000 : 3_600_000;
      const rows = await ctx.db
        .select()
        .from(verdictRollups)
        .where(
          and(
            eq(verdictRollups.machineId, machine.id),
            eq(verdictRollups.res, res),
            gte(verdictRollups.start, Math.floor(from / ms) * ms),
            lte(verdictRollups.start, to),
          ),
        )
        .orderBy(asc(verdictRollups.start))
        .limit(LIMIT);
      points = rows.map((r) => ({ t: r.start, mean: r.sum / r.n, max: r.max, n: r.n, state: RANK_STATE[r.worst] }));
    }
    return c.json({
      machineId: machine.id,
      from,
      to,
      res,
      threshold: thresholds.alert,
      borderlineLow: thresholds.borderlineLow,
      points,
    });
  });

  app.get('/machines/:id/alarms', async (c) => {
    const me = requireUser(c);
    const machine = await machineOf(me.orgId, c.req.param('id'));
    const rows = await ctx.db
      .select()
      .from(alarms)
      .where(and(eq(alarms.orgId, me.orgId), eq(alarms.machineId, machine.id)))
      .orderBy(desc(alarms.lastEventAt))
      .limit(200);
    return c.json(rows.map(({ activeKey: _k, ...a }) => a));
  });

  app.get('/machines/:id/clips', async (c) => {
    const me = requireUser(c);
    const machine = await machineOf(me.orgId, c.req.param('id'));
    const rows = await ctx.db
      .select({
        id: clips.id,
        deviceId: clips.deviceId,
        t: clips.t,
        edgeScore: clips.edgeScore,
        samples: clips.samples,
        sampleRate: clips.sampleRate,
        source: clips.source,
        cloudScore: cloudVerdicts.score,
        cloudState: cloudVerdicts.state,
        faultType: cloudVerdicts.faultType,
      })
      .from(clips)
      .leftJoin(cloudVerdicts, eq(cloudVerdicts.clipId, clips.id))
      .where(and(eq(clips.orgId, me.orgId), eq(clips.machineId, machine.id)))
      .orderBy(desc(clips.t))
      .limit(200);
    return c.json(rows);
  });

  return app;
}
