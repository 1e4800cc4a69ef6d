import { and, eq, lt } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { events, sessions, verdictRollups, verdictWindows } from '../db/schema.ts';

const DAY = 24 * 3600_000;
/** Realtime events are kept this long for Last-Event-ID resume. */
export const EVENT_RETENTION_MS = 2 * DAY;
/** `verdict` events are the bulk (one per batch per device) and stale fast: the timeline API has them. */
export const VERDICT_EVENT_RETENTION_MS = 3600_000;

export interface PruneResult {
  rawWindows: number;
  minuteRollups: number;
  hourRollups: number;
  events: number;
  sessions: number;
}

/**
 * The retention policy: raw windows for RETENTION_RAW_DAYS, minute roll-ups for
 * RETENTION_MINUTE_DAYS, hour roll-ups for RETENTION_HOUR_DAYS; clips, cloud verdicts, labels and
 * alarms are kept (they are small and are the training data of tomorrow).
 */
export async function pruneOld(ctx: AppContext, now = ctx.now()): Promise<PruneResult> {
  const c = ctx.config;
  const count = async (p: Promise<unknown[]>) => (await p).length;
  return {
    rawWindows: await count(
      ctx.db
        .delete(verdictWindows)
        .where(lt(verdictWindows.t, now - c.RETENTION_RAW_DAYS * DAY))
        .returning({ id: verdictWindows.id }),
    ),
    minuteRollups: await count(
      ctx.db
        .delete(verdictRollups)
        .where(and(eq(verdictRollups.res, 'minute'), lt(verdictRollups.start, now - c.RETENTION_MINUTE_DAYS * DAY)))
        .returning({ s: verdictRollups.start }),
    ),
    hourRollups: await count(
      ctx.db
        .delete(verdictRollups)
        .where(and(eq(verdictRollups.res, 'hour'), lt(verdictRollups.start, now - c.RETENTION_HOUR_DAYS * DAY)))
        .returning({ s: verdictRollups.start }),
    ),
    events: await count(
      ctx.db
        .delete(events)
        .where(lt(events.createdAt, now - EVENT_RETENTION_MS))
        .returning({ id: events.id }),
    ),
    sessions: await count(ctx.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.idHash })),
  };
}
