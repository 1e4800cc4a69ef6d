import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { requireUser, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import type { RealtimeEvent } from './broadcaster.ts';

export const HEARTBEAT_MS = 15_000;
export const REPLAY_PAGE = 500;
/** Live events buffered per stream before it is closed (the client resumes with Last-Event-ID). */
export const MAX_QUEUE = 1000;

/**
 * GET /api/notifications/stream: this user's organisation's events. Resumes after `Last-Event-ID`
 * (header, or `?lastEventId=` for clients that cannot set headers) by replaying from the database;
 * live events that arrive during the replay are queued and de-duplicated by id.
 */
export function sseHandler(ctx: AppContext) {
  return (c: Context<UserEnv>) => {
    const me = requireUser(c);
    const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    const lastId = raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
    return streamSSE(c, async (stream) => {
      let sentId = lastId ?? 0;
      const queue: RealtimeEvent[] = [];
      let wake: (() => void) | null = null;
      let overflowed = false;
      const unsubscribe = ctx.bus.subscribe(me.orgId, (e) => {
        // a client this far behind reconnects and replays from the database instead of growing memory
        if (queue.length >= MAX_QUEUE) overflowed = true;
        else queue.push(e);
        wake?.();
      });
      const done = new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        ctx.shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const send = async (e: RealtimeEvent) => {
        if (e.id <= sentId) return;
        sentId = e.id;
        await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e.data) });
      };
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ orgId: me.orgId, resumedFrom: lastId }), retry: 3000 });
        // page through everything missed; live events queued meanwhile are de-duplicated by id
        if (lastId !== null) {
          for (;;) {
            const page = await ctx.bus.replay(me.orgId, sentId, REPLAY_PAGE);
            for (const e of page) await send(e);
            if (page.length < REPLAY_PAGE) break;
          }
        }
        let closed = false;
        void done.then(() => {
          closed = true;
          wake?.();
        });
        while (!closed) {
          while (queue.length) await send(queue.shift()!);
          if (overflowed) break;
          const timer = new Promise<'beat'>((resolve) => {
            const t = setTimeout(() => resolve('beat'), HEARTBEAT_MS);
            wake = () => {
              clearTimeout(t);
              resolve(undefined as never);
            };
          });
          if ((await timer) === 'beat' && !closed) await stream.write(': keep-alive\n\n');
          wake = null;
        }
      } finally {
        unsubscribe();
      }
    });
  };
}
