import { Hono } from 'hono';
import { authRoutes } from '../auth/routes.ts';
import { sessionMiddleware, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { sseHandler } from '../realtime/sse.ts';
import { alarmRoutes } from './alarms.ts';
import { clipRoutes } from './clips.ts';
import { deviceAdminRoutes } from './devices.ts';
import { fleetRoutes } from './fleet.ts';
import { meRoutes } from './me.ts';

/** Contract F, mounted at /api. */
export function userApi(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();
  app.use('*', sessionMiddleware(ctx));
  app.route('/', authRoutes(ctx));
  app.route('/', deviceAdminRoutes(ctx));
  app.route('/', fleetRoutes(ctx));
  app.route('/', clipRoutes(ctx));
  app.route('/', meRoutes(ctx));
  app.route('/', alarmRoutes(ctx, ctx.alarms));
  app.get('/notifications/stream', sseHandler(ctx));
  return app;
}
