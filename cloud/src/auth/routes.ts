import { and, eq, gt, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { invitations, orgs, passwordResets, pushSubscriptions, ROLES, sessions, users } from '../db/schema.ts';
import { RateLimiter } from '../device/rate-limit.ts';
import { ApiError, forbidden, unauthorized } from '../errors.ts';
import { readJson } from '../http/body.ts';
import { clientAddress } from '../http/client-address.ts';
import { newId, newToken, sha256Hex } from '../ids.ts';
import { kakaoRoutes } from './kakao.ts';
import { dummyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import {
  endSession,
  requireRole,
  requireUser,
  SESSION_USER_COLUMNS,
  type SessionUser,
  startSession,
  type UserEnv,
} from './session.ts';

const email = z.string().trim().toLowerCase().pipe(z.email('must be an email address')).pipe(z.string().max(254));
const password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(256);

export const signupBody = z.object({
  email,
  password,
  name: z.string().trim().min(1).max(100),
  orgName: z.string().trim().min(1).max(100).optional(),
  inviteToken: z.string().min(10).max(100).optional(),
  locale: z.enum(['ko', 'en']).optional(),
});
export const loginBody = z.object({ email, password: z.string().min(1).max(256) });
const resetRequestBody = z.object({ email });
const resetConfirmBody = z.object({ token: z.string().min(10).max(100), password });
const inviteBody = z.object({ email, role: z.enum(ROLES) });

const INVITE_TTL_MS = 7 * 24 * 3600_000;
const RESET_TTL_MS = 3600_000;

export async function publicUser(ctx: AppContext, userId: string): Promise<SessionUser> {
  const [u] = await ctx.db
    .select(SESSION_USER_COLUMNS)
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(eq(users.id, userId));
  return u;
}

/** Contract F auth routes: signup, login, logout, verify, password reset, invitations, org users. */
export function authRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();
  // password guessing and mail bombing: 10 attempts at once, then one per 6 s, per client address
  const limiter = new RateLimiter(ctx.config.AUTH_RATE_BURST, ctx.config.AUTH_RATE_PER_S, () => ctx.now());
  app.use('/auth/*', async function authRateLimit(c, next) {
    if (c.req.method === 'POST' && /\/(login|signup|password-reset\/request|password-reset\/confirm)$/.test(c.req.path)) {
      const wait = limiter.take(clientAddress(c));
      if (wait > 0) {
        throw new ApiError(429, 'rate_limited', `too many attempts; retry in ${wait} s`, undefined, {
          'retry-after': String(wait),
        });
      }
    }
    await next();
  });

  app.post('/auth/signup', async (c) => {
    const body = await readJson(c, signupBody, 'signup');
    const passwordHash = await hashPassword(body.password);
    const userId = newId('usr');
    await ctx.database.write(async (tx) => {
      const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, body.email));
      if (existing)
        throw new ApiError(409, 'email_taken', 'an account with this email already exists; sign in or reset the password');
      let orgId: string;
      let role: (typeof ROLES)[number] = 'owner';
      if (body.inviteToken) {
        const [inv] = await tx
          .select()
          .from(invitations)
          .where(
            and(
              eq(invitations.tokenHash, sha256Hex(body.inviteToken)),
              isNull(invitations.acceptedAt),
              gt(invitations.expiresAt, ctx.now()),
            ),
          );
        if (!inv) throw new ApiError(400, 'bad_invitation', 'the invitation is unknown, used or expired; ask for a new one');
        if (inv.email !== body.email) throw new ApiError(400, 'bad_invitation', `this invitation is for ${inv.email}`);
        orgId = inv.orgId;
        role = inv.role;
        await tx.update(invitations).set({ acceptedAt: ctx.now() }).where(eq(invitations.tokenHash, inv.tokenHash));
      } else {
        orgId = newId('org');
        await tx.insert(orgs).values({ id: orgId, name: body.orgName ?? `${body.name}'s organisation` });
      }
      await tx
        .insert(users)
        .values({ id: userId, orgId, email: body.email, name: body.name, passwordHash, role, locale: body.locale ?? 'ko' });
    });
    const csrfToken = await startSession(ctx, c, userId);
    return c.json({ user: await publicUser(ctx, userId), csrfToken }, 201);
  });

  app.post('/auth/login', async (c) => {
    const body = await readJson(c, loginBody, 'login');
    const [u] = await ctx.db
      .select({ id: users.id, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, body.email));
    const ok = await verifyPassword(body.password, u?.passwordHash ?? (await dummyHash()));
    if (!u || !ok) throw new ApiError(401, 'bad_credentials', 'wrong email or password');
    const csrfToken = await startSession(ctx, c, u.id);
    return c.json({ user: await publicUser(ctx, u.id), csrfToken });
  });

  app.post('/auth/logout', async (c) => {
    requireUser(c);
    await endSession(ctx, c);
    return c.json({ ok: true });
  });

  app.get('/auth/verify', (c) => {
    const user = c.get('user');
    if (!user) throw unauthorized('not signed in');
    return c.json({ ok: true, user, csrfToken: c.get('csrfToken') });
  });

  app.post('/auth/password-reset/request', async (c) => {
    const body = await readJson(c, resetRequestBody, 'password reset request');
    const [u] = await ctx.db.select().from(users).where(eq(users.email, body.email));
    // same answer whether or not the account exists, so the route cannot be used to find accounts
    if (u) {
      const token = newToken();
      await ctx.db
        .insert(passwordResets)
        .values({ tokenHash: sha256Hex(token), userId: u.id, expiresAt: ctx.now() + RESET_TTL_MS });
      const url = `${ctx.config.publicUrl}/app/#/reset?token=${token}`;
      const ko = u.locale === 'ko';
      await ctx.mailer.send({
        to: u.email,
        subject: ko ? 'Signalcraft 비밀번호 재설정' : 'Reset your Signalcraft password',
        text: ko
          ? `아래 링크에서 1시간 안에 새 비밀번호를 설정하세요:\n${url}\n\n요청하지 않았다면 이 메일을 무시하세요.`
          : `Set a new password within one hour:\n${url}\n\nIf you did not ask for this, ignore this email.`,
      });
    }
    return c.json({ ok: true });
  });

  app.post('/auth/password-reset/confirm', async (c) => {
    const body = await readJson(c, resetConfirmBody, 'password reset');
    const passwordHash = await hashPassword(body.password);
    const userId = await ctx.database.write(async (tx) => {
      const [r] = await tx
        .select()
        .from(passwordResets)
        .where(
          and(
            eq(passwordResets.tokenHash, sha256Hex(body.token)),
            isNull(passwordResets.usedAt),
            gt(passwordResets.expiresAt, ctx.now()),
          ),
        );
      if (!r) throw new ApiError(400, 'bad_token', 'the reset link is unknown, used or expired; request a new one');
      await tx.update(passwordResets).set({ usedAt: ctx.now() }).where(eq(passwordResets.tokenHash, r.tokenHash));
      await tx.update(users).set({ passwordHash }).where(eq(users.id, r.userId));
      // every existing session ends: whoever knew the old password is signed out
      await tx.delete(sessions).where(eq(sessions.userId, r.userId));
      return r.userId;
    });
    const csrfToken = await startSession(ctx, c, userId);
    return c.json({ ok: true, user: await publicUser(ctx, userId), csrfToken });
  });

  app.post('/org/invitations', async (c) => {
    const me = requireRole(c, 'admin');
    const body = await readJson(c, inviteBody, 'invitation');
    if (body.role === 'owner' && me.role !== 'owner') throw forbidden('only an owner can invite another owner');
    const token = newToken();
    await ctx.db.insert(invitations).values({
      tokenHash: sha256Hex(token),
      orgId: me.orgId,
      email: body.email,
      role: body.role,
      createdBy: me.id,
      expiresAt: ctx.now() + INVITE_TTL_MS,
    });
    const url = `${ctx.config.publicUrl}/app/#/signup?invite=${token}&email=${encodeURIComponent(body.email)}`;
    void ctx.track(
      ctx.mailer
        .send({
          to: body.email,
          subject: `Signalcraft: ${me.name} invited you to ${me.orgName} / 초대장`,
          text: `${me.name} invited you to ${me.orgName} as ${body.role}.\n${me.name}님이 ${me.orgName}에 초대했습니다.\n\n${url}`,
        })
        .catch((err) => ctx.log.warn('invitation mail failed', { error: String(err) })),
    );
    return c.json({ token, url, expiresAt: ctx.now() + INVITE_TTL_MS }, 201);
  });

  /** Pending and past invitations (admin); `id` is the token's sha256, which cannot be used to join. */
  app.get('/org/invitations', async (c) => {
    const me = requireRole(c, 'admin');
    const rows = await ctx.db.select().from(invitations).where(eq(invitations.orgId, me.orgId));
    return c.json(
      rows.map(({ tokenHash, orgId: _o, ...r }) => ({
        id: tokenHash,
        ...r,
        status: r.acceptedAt ? 'accepted' : r.expiresAt < ctx.now() ? 'expired' : 'pending',
      })),
    );
  });

  app.delete('/org/invitations/:id', async (c) => {
    const me = requireRole(c, 'admin');
    const gone = await ctx.db
      .delete(invitations)
      .where(and(eq(invitations.tokenHash, c.req.param('id')), eq(invitations.orgId, me.orgId), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.tokenHash });
    if (!gone.length) throw new ApiError(404, 'not_found', 'no pending invitation with this id');
    return c.json({ ok: true });
  });

  app.get('/org/users', async (c) => {
    const me = requireUser(c);
    const rows = await ctx.db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        locale: users.locale,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(eq(users.orgId, me.orgId));
    return c.json(rows);
  });

  /** Change a member's role (admin+; only an owner grants or removes owner; the last owner stays). */
  app.patch('/org/users/:id', async (c) => {
    const me = requireRole(c, 'admin');
    const body = await readJson(c, z.object({ role: z.enum(ROLES) }), 'role change');
    const updated = await ctx.database.write(async (tx) => {
      const [target] = await tx
        .select()
        .from(users)
        .where(and(eq(users.id, c.req.param('id')), eq(users.orgId, me.orgId)));
      if (!target) throw new ApiError(404, 'not_found', 'user not found');
      if ((target.role === 'owner' || body.role === 'owner') && me.role !== 'owner') {
        throw forbidden('only an owner can grant or remove the owner role');
      }
      if (target.role === 'owner' && body.role !== 'owner') {
        const owners = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.orgId, me.orgId), eq(users.role, 'owner')));
        if (owners.length <= 1) throw new ApiError(409, 'last_owner', 'the organisation needs at least one owner');
      }
      await tx.update(users).set({ role: body.role }).where(eq(users.id, target.id));
      return target.id;
    });
    return c.json(await publicUser(ctx, updated));
  });

  /** Remove a member (admin+): their sessions end at once. */
  app.delete('/org/users/:id', async (c) => {
    const me = requireRole(c, 'admin');
    await ctx.database.write(async (tx) => {
      const [target] = await tx
        .select()
        .from(users)
        .where(and(eq(users.id, c.req.param('id')), eq(users.orgId, me.orgId)));
      if (!target) throw new ApiError(404, 'not_found', 'user not found');
      if (target.id === me.id) throw new ApiError(409, 'self', 'you cannot remove yourself');
      if (target.role === 'owner' && me.role !== 'owner') throw forbidden('only an owner can remove an owner');
      await tx.delete(sessions).where(eq(sessions.userId, target.id));
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, target.id));
      // the row goes; alarms and labels keep the id as history
      await tx.delete(passwordResets).where(eq(passwordResets.userId, target.id));
      await tx.delete(users).where(eq(users.id, target.id));
    });
    return c.json({ ok: true });
  });

  app.route('/auth/kakao', kakaoRoutes(ctx));
  return app;
}
