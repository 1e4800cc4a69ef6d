import { and, eq, gt } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../context.ts';
import { orgs, type Role, sessions, users } from '../db/schema.ts';
import { bearerToken } from '../device/auth.ts';
import { ApiError, forbidden, unauthorized } from '../errors.ts';
import { newToken, sha256Hex } from '../ids.ts';

export const SESSION_COOKIE = 'sc_session';
export const CSRF_COOKIE = 'sc_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  orgId: string;
  orgName: string;
  locale: 'ko' | 'en';
}

export type UserEnv = { Variables: { user: SessionUser | null; csrfToken: string | null; sessionHash: string | null } };

const RANK: Record<Role, number> = { viewer: 0, technician: 1, admin: 2, owner: 3 };
export const atLeast = (role: Role, min: Role) => RANK[role] >= RANK[min];

/** Creates a session and sets the HttpOnly session cookie plus the readable CSRF cookie. */
export async function startSession(ctx: AppContext, c: Context, userId: string): Promise<string> {
  const token = newToken();
  const csrfToken = newToken();
  const ttlMs = ctx.config.SESSION_TTL_H * 3600_000;
  await ctx.db.insert(sessions).values({ idHash: sha256Hex(token), userId, csrfToken, expiresAt: ctx.now() + ttlMs });
  const common = { path: '/', sameSite: 'Lax' as const, secure: ctx.config.cookieSecure, maxAge: Math.floor(ttlMs / 1000) };
  setCookie(c, SESSION_COOKIE, token, { ...common, httpOnly: true });
  setCookie(c, CSRF_COOKIE, csrfToken, { ...common, httpOnly: false });
  return csrfToken;
}

export async function endSession(ctx: AppContext, c: Context): Promise<void> {
  const hash = c.get('sessionHash') as string | null;
  if (hash) await ctx.db.delete(sessions).where(eq(sessions.idHash, hash));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, CSRF_COOKIE, { path: '/' });
}

/** The columns of a SessionUser (users joined with orgs). */
export const SESSION_USER_COLUMNS = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  orgId: users.orgId,
  orgName: orgs.name,
  locale: users.locale,
};

export async function loadSessionUser(
  ctx: AppContext,
  token: string,
): Promise<{ user: SessionUser; csrfToken: string; hash: string } | null> {
  const hash = sha256Hex(token);
  const [row] = await ctx.db
    .select({ csrfToken: sessions.csrfToken, ...SESSION_USER_COLUMNS })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(and(eq(sessions.idHash, hash), gt(sessions.expiresAt, ctx.now())));
  if (!row) return null;
  const { csrfToken, ...user } = row;
  return { user, csrfToken, hash };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that do not act on the current session (they start a new one), so need no CSRF token. */
const CSRF_EXEMPT = /^\/api\/auth\/(login|signup|password-reset\/request|password-reset\/confirm)$/;

/**
 * Loads the session user (if any) and enforces CSRF on state-changing requests made with a
 * session: the X-CSRF-Token header must equal the session's token (and the sc_csrf cookie).
 */
export function sessionMiddleware(ctx: AppContext): MiddlewareHandler<UserEnv> {
  return async function session(c, next) {
    c.set('user', null);
    c.set('csrfToken', null);
    c.set('sessionHash', null);
    const cookieToken = getCookie(c, SESSION_COOKIE);
    // scripts (e.g. SIGNALCRAFT_AUTH="Bearer <session>") may send the session as a bearer token;
    // it is not an ambient credential, so it needs no CSRF token. Device tokens match no session.
    const bearer = cookieToken ? null : bearerToken(c.req.header('authorization'));
    const token = cookieToken ?? bearer;
    if (token) {
      const s = await loadSessionUser(ctx, token);
      if (s) {
        c.set('user', s.user);
        c.set('csrfToken', s.csrfToken);
        c.set('sessionHash', s.hash);
        if (bearer) {
          await next();
          return;
        }
        if (!SAFE.has(c.req.method) && !CSRF_EXEMPT.test(c.req.path)) {
          const header = c.req.header(CSRF_HEADER);
          const cookie = getCookie(c, CSRF_COOKIE);
          if (!header || header !== s.csrfToken || (cookie !== undefined && cookie !== header)) {
            throw new ApiError(
              403,
              'csrf',
              'missing or wrong X-CSRF-Token header (use the csrfToken from login or /api/auth/verify)',
            );
          }
        }
      }
    }
    await next();
  };
}

export function requireUser(c: Context<UserEnv>): SessionUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}

export function requireRole(c: Context<UserEnv>, min: Role): SessionUser {
  const user = requireUser(c);
  if (!atLeast(user.role, min)) throw forbidden(`this needs the ${min} role or higher (you are ${user.role})`);
  return user;
}
