import { Kakao, type OAuth2Tokens } from 'arctic';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/client.ts';
import { orgs, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId, newToken } from '../ids.ts';
import { startSession, type UserEnv } from './session.ts';

const STATE_COOKIE = 'sc_kakao_state';
export const KAKAO_SCOPES = ['profile_nickname', 'account_email', 'talk_message'];

/** The parts of Kakao's `GET /v2/user/me` answer we use. */
const kakaoUser = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  kakao_account: z
    .object({
      email: z.string().optional(),
      is_email_valid: z.boolean().optional(),
      is_email_verified: z.boolean().optional(),
      profile: z.object({ nickname: z.string().optional() }).loose().optional(),
    })
    .loose()
    .optional(),
});

export function kakaoClient(ctx: AppContext): Kakao | null {
  const { KAKAO_CLIENT_ID: id, KAKAO_CLIENT_SECRET: secret } = ctx.config;
  if (!id) return null;
  return new Kakao(id, secret ?? '', ctx.config.KAKAO_REDIRECT_URI ?? `${ctx.config.publicUrl}/api/auth/kakao/callback`);
}

/** The columns a token response fills (Kakao access tokens last ~6 h, refresh tokens ~2 months). */
export function kakaoTokenFields(tokens: OAuth2Tokens) {
  let expiresAt: number | null = null;
  try {
    expiresAt = tokens.accessTokenExpiresAt().getTime();
  } catch {
    // no expires_in in the answer
  }
  return {
    kakaoAccessToken: tokens.accessToken(),
    kakaoRefreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : null,
    kakaoTokenExpiresAt: expiresAt,
  };
}

/**
 * Returns a usable Kakao access token for the user, refreshing it (and storing the new one) when it
 * expires within 5 minutes. Null when the user has no Kakao link or the refresh is refused.
 */
export async function freshKakaoToken(
  db: Db,
  kakao: Kakao | null,
  user: { id: string; kakaoAccessToken: string | null; kakaoRefreshToken: string | null; kakaoTokenExpiresAt: number | null },
  now: number,
): Promise<string | null> {
  if (!user.kakaoAccessToken) return null;
  if (user.kakaoTokenExpiresAt === null || user.kakaoTokenExpiresAt - now > 5 * 60_000) return user.kakaoAccessToken;
  if (!kakao || !user.kakaoRefreshToken) return user.kakaoAccessToken;
  try {
    const tokens = await kakao.refreshAccessToken(user.kakaoRefreshToken);
    const fields = kakaoTokenFields(tokens);
    // Kakao only returns a new refresh token when the old one is close to expiry
    if (!fields.kakaoRefreshToken) fields.kakaoRefreshToken = user.kakaoRefreshToken;
    await db.update(users).set(fields).where(eq(users.id, user.id));
    return fields.kakaoAccessToken;
  } catch {
    return user.kakaoAccessToken;
  }
}

/**
 * Kakao login with arctic: a signed `state` cookie, code exchange, then the profile. An existing
 * account is linked when Kakao says the email is verified (or the user is already signed in);
 * otherwise a new organisation and owner account are created.
 */
export function kakaoRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();
  const disabled = () => new ApiError(503, 'kakao_disabled', 'Kakao login is not configured (set KAKAO_CLIENT_ID)');

  app.get('/', async (c) => {
    const kakao = kakaoClient(ctx);
    if (!kakao) throw disabled();
    const state = newToken();
    await setSignedCookie(c, STATE_COOKIE, state, ctx.secrets.sessionSecret, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: ctx.config.cookieSecure,
      path: '/api/auth/kakao',
      maxAge: 600,
    });
    return c.redirect(kakao.createAuthorizationURL(state, KAKAO_SCOPES).toString(), 302);
  });

  app.get('/callback', async (c) => {
    const kakao = kakaoClient(ctx);
    if (!kakao) throw disabled();
    const { code, state, error } = c.req.query();
    if (error) throw new ApiError(400, 'kakao_denied', `Kakao login was not completed: ${error}`);
    const expected = await getSignedCookie(c, ctx.secrets.sessionSecret, STATE_COOKIE);
    deleteCookie(c, STATE_COOKIE, { path: '/api/auth/kakao' });
    if (!code || !state || !expected || state !== expected) {
      throw new ApiError(400, 'bad_state', 'the Kakao login state does not match; start the login again');
    }
    let accessToken: string;
    let tokenFields: { kakaoAccessToken: string; kakaoRefreshToken: string | null; kakaoTokenExpiresAt: number | null };
    try {
      const tokens = await kakao.validateAuthorizationCode(code);
      accessToken = tokens.accessToken();
      tokenFields = kakaoTokenFields(tokens);
    } catch (err) {
      throw new ApiError(400, 'kakao_code', `Kakao refused the login code: ${(err as Error).message}`);
    }
    const base = ctx.config.KAKAO_API_BASE_URL ?? 'https://kapi.kakao.com';
    const res = await fetch(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!res.ok) throw new ApiError(502, 'kakao_profile', `Kakao profile request failed with ${res.status}`);
    const profile = kakaoUser.safeParse(await res.json().catch(() => null));
    if (!profile.success) throw new ApiError(502, 'kakao_profile', 'Kakao returned a profile we cannot read');
    const kakaoId = profile.data.id;
    const account = profile.data.kakao_account;
    const verifiedEmail =
      account?.email && account.is_email_verified && account.is_email_valid !== false ? account.email.toLowerCase() : null;

    const current = c.get('user');
    const userId = await ctx.database.write(async (tx) => {
      const [byKakao] = await tx.select({ id: users.id }).from(users).where(eq(users.kakaoId, kakaoId));
      const link = async (id: string) => {
        await tx
          .update(users)
          .set({ kakaoId, ...tokenFields })
          .where(eq(users.id, id));
        return id;
      };
      if (byKakao) return link(byKakao.id);
      if (current) return link(current.id);
      if (verifiedEmail) {
        const [byEmail] = await tx.select({ id: users.id }).from(users).where(eq(users.email, verifiedEmail));
        if (byEmail) return link(byEmail.id);
      }
      const name = account?.profile?.nickname ?? 'Kakao user';
      const orgId = newId('org');
      const id = newId('usr');
      await tx.insert(orgs).values({ id: orgId, name: `${name}'s organisation` });
      await tx.insert(users).values({
        id,
        orgId,
        email: verifiedEmail ?? `kakao-${kakaoId}@users.kakao.invalid`,
        name,
        role: 'owner',
        locale: 'ko',
        kakaoId,
        ...tokenFields,
      });
      return id;
    });
    await startSession(ctx, c, userId);
    return c.redirect('/app/', 302);
  });

  return app;
}
