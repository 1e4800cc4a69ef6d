import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireUser, type UserEnv } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { pushSubscriptions, users } from '../db/schema.ts';
import { readJson } from '../http/body.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Asia/Seoul');

export const preferencesBody = z.object({
  locale: z.enum(['ko', 'en']),
  channels: z.object({ email: z.boolean(), sms: z.boolean(), kakao: z.boolean(), push: z.boolean() }),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +821012345678')
    .nullable()
    .optional(),
  quietHours: z.object({ start: hhmm, end: hhmm, tz: timeZone }).nullable(),
});
export type PreferencesBody = z.infer<typeof preferencesBody>;

export const DEFAULT_CHANNELS = { email: true, sms: false, kakao: false, push: true };

export const pushSubscriptionBody = z.object({
  endpoint: z.url().max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: z.string().min(10).max(200), auth: z.string().min(4).max(100) }),
});

/** /api/me/preferences and /api/push/*: a user's own settings (any role, viewer included). */
export function meRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();

  const read = async (userId: string): Promise<PreferencesBody> => {
    const [u] = await ctx.db.select().from(users).where(eq(users.id, userId));
    return {
      locale: u.locale,
      channels: u.preferences?.channels ?? DEFAULT_CHANNELS,
      phone: u.phone ?? null,
      quietHours: u.preferences?.quietHours ?? null,
    };
  };

  app.get('/me/preferences', async (c) => c.json(await read(requireUser(c).id)));

  app.put('/me/preferences', async (c) => {
    const me = requireUser(c);
    const body = await readJson(c, preferencesBody, 'preferences');
    await ctx.db
      .update(users)
      .set({
        locale: body.locale,
        phone: body.phone ?? null,
        preferences: { channels: body.channels, quietHours: body.quietHours },
      })
      .where(eq(users.id, me.id));
    return c.json(await read(me.id));
  });

  app.get('/push/vapid-public-key', (c) => c.json({ publicKey: ctx.secrets.vapid.publicKey }));

  app.post('/push/subscriptions', async (c) => {
    const me = requireUser(c);
    const sub = await readJson(c, pushSubscriptionBody, 'PushSubscription');
    await ctx.db
      .insert(pushSubscriptions)
      .values({
        endpoint: sub.endpoint,
        userId: me.id,
        p256dh: sub.keys.p256dh,
        auth: sub.keys.auth,
        expirationTime: sub.expirationTime ?? null,
      })
      .onConflictDoUpdate({
        target: pushSubscriptions.endpoint,
        set: { userId: me.id, p256dh: sub.keys.p256dh, auth: sub.keys.auth, expirationTime: sub.expirationTime ?? null },
      });
    return c.json({ ok: true }, 201);
  });

  app.delete('/push/subscriptions', async (c) => {
    const me = requireUser(c);
    const body = await readJson(c, z.object({ endpoint: z.string().min(1).max(2000) }), 'subscription removal');
    const gone = await ctx.db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, body.endpoint), eq(pushSubscriptions.userId, me.id)))
      .returning({ endpoint: pushSubscriptions.endpoint });
    return c.json({ ok: true, removed: gone.length });
  });

  return app;
}
