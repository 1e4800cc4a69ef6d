import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { openApiDocument } from './api/openapi.ts';
import { userApi } from './api/routes.ts';
import type { AppContext } from './context.ts';
import { deviceRoutes } from './device/routes.ts';
import { ApiError } from './errors.ts';
import { mountStatic } from './http/static.ts';
import { legacyRoutes } from './legacy/routes.ts';
import { DEVICE_API_PREFIX } from './protocol/schemas.ts';
import { ClipMissingError } from './storage/clip-store.ts';

/**
 * Builds the Hono app from an already-opened context (database, config, broadcaster), so tests
 * run the real app against a temporary database. `startServer` (server.ts) wires the rest.
 */
export function createApp(ctx: AppContext): Hono {
  const app = new Hono();

  app.use('*', async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const vars = c as unknown as { get(k: string): { id?: string } | null | undefined };
    ctx.log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      // who made it, when known (set by the device and session middlewares)
      deviceId: vars.get('device')?.id,
      userId: vars.get('user')?.id,
    });
  });

  // nosniff, frame and referrer policies for every answer; no CSP here (the dashboard's build owns its scripts)
  app.use('*', secureHeaders({ xXssProtection: false }));

  app.onError((err, c) => {
    if (err instanceof ApiError) return err.getResponse();
    if (err instanceof ClipMissingError) return new ApiError(410, 'clip_audio_missing', err.message).getResponse();
    // Hono's own HTTPException (e.g. from a helper) renders itself but not in our JSON shape.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new ApiError(status as 400, 'bad_request', err.message || 'bad request').getResponse();
    }
    ctx.log.error('unhandled error', { method: c.req.method, path: c.req.path, error: String(err?.stack ?? err) });
    return new ApiError(500, 'internal', 'internal error; it was logged').getResponse();
  });

  app.notFound((c) => new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).getResponse());

  app.get('/healthz', async (c) => {
    try {
      await ctx.db.run(sql`select 1`);
      return c.json({ ok: true, db: 'ok', time: ctx.now() });
    } catch (err) {
      return c.json({ ok: false, db: String((err as Error).message) }, 503);
    }
  });

  app.get('/api/openapi.json', (c) => c.json(openApiDocument(ctx.config.publicUrl)));
  app.route(DEVICE_API_PREFIX, deviceRoutes(ctx));
  app.route('/api', userApi(ctx));
  app.route('/', legacyRoutes(ctx));
  mountStatic(app);
  return app;
}
