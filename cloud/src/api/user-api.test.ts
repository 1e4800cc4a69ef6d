import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import type { MailMessage } from '../auth/mailer.ts';
import { call, startTestServer, type TestServer, UserClient } from '../testing/harness.ts';
import { fleetRow, newDeviceAnswer, sessionAnswer, timeline } from './openapi.ts';

const SHA = 'b'.repeat(64);
const T = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('user API (contract F) and the authorisation matrix', () => {
  let s: TestServer;
  const mail: MailMessage[] = [];
  let ownerA: UserClient;
  let ownerB: UserClient;
  let viewerA: UserClient;
  let techA: UserClient;
  let devA: { id: string; machineId: string; token: string };
  let devB: { id: string; machineId: string; token: string };

  beforeAll(async () => {
    s = await startTestServer({}, { mailer: { send: async (m) => void mail.push(m) } });
    ownerA = await UserClient.signup(s.url, 'a@example.com', { orgName: 'A Cold Chain' });
    ownerB = await UserClient.signup(s.url, 'b@example.com', { orgName: 'B Foods' });
    const inv = await ownerA.req('POST', '/api/org/invitations', { email: 'viewer@example.com', role: 'viewer' });
    expect(inv.status).toBe(201);
    viewerA = await UserClient.signup(s.url, 'viewer@example.com', { inviteToken: inv.body.token });
    const inv2 = await ownerA.req('POST', '/api/org/invitations', { email: 'tech@example.com', role: 'technician' });
    techA = await UserClient.signup(s.url, 'tech@example.com', { inviteToken: inv2.body.token });
    const mk = async (u: UserClient, name: string) => {
      const r = await u.req('POST', '/api/devices', {
        name,
        siteName: 'Site',
        machineName: `${name} compressor`,
        compressorType: 'reciprocating',
        location: 'back room',
      });
      expect(r.status).toBe(201);
      expect(r.body.provisioningToken).toBeTruthy();
      return { id: r.body.device.id, machineId: r.body.device.machineId, token: r.body.provisioningToken };
    };
    devA = await mk(ownerA, 'A1');
    devB = await mk(ownerB, 'B1');
    for (const [d, score] of [
      [devA, 2.5],
      [devB, 0.2],
    ] as const) {
      const r = await call(s.url, 'POST', '/api/v1/device/verdicts', {
        token: d.token,
        body: {
          v: 1,
          deviceId: d.id,
          bootId: 'abcdef12',
          seq: 1,
          modelSha256: SHA,
          windows: [{ t: T, score, state: score > 1 ? 'alarm' : 'normal', levelDb: -30 }],
        },
      });
      expect(r.status).toBe(200);
    }
  });
  afterAll(() => s.dispose());

  it('login, verify and logout work with the session cookie and CSRF token', async () => {
    const u = new UserClient(s.url);
    expect((await u.req('POST', '/api/auth/login', { email: 'a@example.com', password: 'wrong password' })).status).toBe(401);
    const ok = await u.req('POST', '/api/auth/login', { email: 'A@Example.com', password: 'correct horse battery' });
    expect(ok.status).toBe(200);
    expect(ok.body.user.role).toBe('owner');
    expect(u.cookies.has('sc_session')).toBe(true);
    const v = await u.req('GET', '/api/auth/verify');
    expect(v.body).toMatchObject({ ok: true, user: { email: 'a@example.com', orgName: 'A Cold Chain' } });
    expect((await u.req('POST', '/api/auth/logout', undefined, { csrf: false })).status).toBe(403);
    expect((await u.req('POST', '/api/auth/logout')).status).toBe(200);
    expect((await u.req('GET', '/api/auth/verify')).status).toBe(401);
  });

  it('signing in again from a browser that has a session needs no CSRF token', async () => {
    const u = new UserClient(s.url);
    await u.req('POST', '/api/auth/login', { email: 'a@example.com', password: 'correct horse battery' });
    const again = await u.req(
      'POST',
      '/api/auth/login',
      { email: 'a@example.com', password: 'correct horse battery' },
      { csrf: false },
    );
    expect(again.status).toBe(200);
    // but acting with the session does
    expect((await u.req('PATCH', `/api/devices/${devA.id}`, { name: 'x' }, { csrf: false })).status).toBe(403);
  });

  it('refuses duplicate email and weak passwords', async () => {
    const u = new UserClient(s.url);
    expect(
      (await u.req('POST', '/api/auth/signup', { email: 'a@example.com', password: 'long enough pw', name: 'x' })).status,
    ).toBe(409);
    const weak = await u.req('POST', '/api/auth/signup', { email: 'c@example.com', password: 'short', name: 'x' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.issues[0].path).toBe('password');
  });

  it('answers match the response schemas the OpenAPI document publishes', async () => {
    const fleet = await ownerA.req('GET', '/api/fleet');
    expect(z.array(fleetRow).safeParse(fleet.body).error).toBeUndefined();
    const tl = await ownerA.req('GET', `/api/machines/${devA.machineId}/timeline?from=0`);
    expect(timeline.safeParse(tl.body).error).toBeUndefined();
    const v = await ownerA.req('GET', '/api/auth/verify');
    expect(sessionAnswer.safeParse(v.body).error).toBeUndefined();
    const d = await ownerB.req('POST', '/api/devices', {
      name: 'S',
      siteName: 'Site',
      machineName: 'schema',
      compressorType: 'scroll',
    });
    expect(newDeviceAnswer.safeParse(d.body).error).toBeUndefined();
    await ownerB.req('POST', `/api/devices/${d.body.device.id}/decommission`);
  });

  it('org A sees nothing of org B', async () => {
    const fleetA = await ownerA.req('GET', '/api/fleet');
    expect(fleetA.body.map((f: any) => f.deviceId)).toEqual([devA.id]);
    expect(fleetA.body[0].health).toBe('alarm');
    expect((await ownerA.req('GET', `/api/machines/${devB.machineId}`)).status).toBe(404);
    expect((await ownerA.req('GET', `/api/machines/${devB.machineId}/timeline`)).status).toBe(404);
    expect((await ownerA.req('PATCH', `/api/devices/${devB.id}`, { name: 'stolen' })).status).toBe(404);
    expect((await ownerA.req('POST', `/api/devices/${devB.id}/decommission`)).status).toBe(404);
    const devices = await ownerA.req('GET', '/api/devices');
    expect(devices.body.map((d: any) => d.id)).toEqual([devA.id]);
    const users = await ownerA.req('GET', '/api/org/users');
    expect(users.body.map((u: any) => u.email).sort()).toEqual(['a@example.com', 'tech@example.com', 'viewer@example.com']);
  });

  it('a device token cannot call user routes', async () => {
    for (const url of ['/api/fleet', '/api/devices', `/api/machines/${devA.machineId}`, '/api/auth/verify']) {
      expect((await call(s.url, 'GET', url, { token: devA.token })).status).toBe(401);
    }
    expect((await call(s.url, 'POST', '/api/devices', { token: devA.token, body: { name: 'x' } })).status).toBe(401);
  });

  it('a viewer can read but cannot change anything', async () => {
    expect((await viewerA.req('GET', '/api/fleet')).status).toBe(200);
    expect((await viewerA.req('GET', `/api/machines/${devA.machineId}/timeline?res=raw&from=0`)).body.points).toHaveLength(1);
    const denied = [
      await viewerA.req('POST', '/api/devices', { name: 'v', siteName: 's', machineName: 'm', compressorType: 'scroll' }),
      await viewerA.req('PATCH', `/api/devices/${devA.id}`, { name: 'renamed' }),
      await viewerA.req('POST', `/api/devices/${devA.id}/decommission`),
      await viewerA.req('POST', '/api/org/invitations', { email: 'x@example.com', role: 'admin' }),
    ];
    expect(denied.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    // a technician cannot manage devices either
    expect((await techA.req('PATCH', `/api/devices/${devA.id}`, { name: 'renamed' })).status).toBe(403);
    // but everyone manages their own preferences
    const prefs = await viewerA.req('PUT', '/api/me/preferences', {
      locale: 'en',
      channels: { email: true, sms: false, kakao: false, push: true },
      phone: '+821012345678',
      quietHours: { start: '22:00', end: '07:00', tz: 'Asia/Seoul' },
    });
    expect(prefs.status).toBe(200);
    expect(prefs.body.quietHours.tz).toBe('Asia/Seoul');
    const bad = await viewerA.req('PUT', '/api/me/preferences', {
      ...prefs.body,
      quietHours: { start: '25:00', end: '07:00', tz: 'Mars/Base' },
    });
    expect(bad.status).toBe(422);
  });

  it('timeline returns roll-ups at minute and hour resolution', async () => {
    const m = await ownerA.req(
      'GET',
      `/api/machines/${devA.machineId}/timeline?from=${T - 3600_000}&to=${T + 3600_000}&res=minute`,
    );
    expect(m.body.points).toEqual([{ t: T, mean: 2.5, max: 2.5, n: 1, state: 'alarm' }]);
    expect(m.body.threshold).toBe(1);
    const bad = await ownerA.req('GET', `/api/machines/${devA.machineId}/timeline?res=week`);
    expect(bad.status).toBe(422);
  });

  it('decommissioning revokes the device token', async () => {
    const r = await ownerA.req('POST', '/api/devices', {
      name: 'tmp',
      siteName: 'Site',
      machineName: 'tmp',
      compressorType: 'scroll',
    });
    const token = r.body.provisioningToken;
    expect((await call(s.url, 'GET', '/api/v1/device/config', { token })).status).toBe(200);
    expect((await ownerA.req('POST', `/api/devices/${r.body.device.id}/decommission`)).body.status).toBe('decommissioned');
    const after = await call(s.url, 'GET', '/api/v1/device/config', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('revoked');
  });

  it('password reset by email: the link works once and ends old sessions', async () => {
    const u = new UserClient(s.url);
    expect((await u.req('POST', '/api/auth/password-reset/request', { email: 'tech@example.com' })).status).toBe(200);
    expect((await u.req('POST', '/api/auth/password-reset/request', { email: 'nobody@example.com' })).status).toBe(200);
    const m = mail.find((x) => x.to === 'tech@example.com' && /비밀번호|password/i.test(x.subject));
    expect(m).toBeTruthy();
    const token = /token=([\w-]+)/.exec(m!.text)![1];
    const ok = await u.req('POST', '/api/auth/password-reset/confirm', { token, password: 'a brand new secret' });
    expect(ok.status).toBe(200);
    expect((await u.req('POST', '/api/auth/password-reset/confirm', { token, password: 'another new secret' })).status).toBe(400);
    expect((await techA.req('GET', '/api/auth/verify')).status).toBe(401);
    const relog = new UserClient(s.url);
    expect(
      (await relog.req('POST', '/api/auth/login', { email: 'tech@example.com', password: 'a brand new secret' })).status,
    ).toBe(200);
  });

  it('rate-limits password guessing per client with 429 and Retry-After', async () => {
    const limited = await startTestServer({ AUTH_RATE_BURST: 5 });
    onTestFinished(() => limited.dispose());
    await UserClient.signup(limited.url, 'a@example.com');
    const u = new UserClient(limited.url);
    const statuses: number[] = [];
    let retry: string | null = null;
    for (let i = 0; i < 12; i++) {
      const r = await u.req('POST', '/api/auth/login', { email: 'a@example.com', password: `guess-${i}` });
      statuses.push(r.status);
      if (r.status === 429) retry = r.headers.get('retry-after');
    }
    expect(statuses).toContain(401);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retry)).toBeGreaterThan(0);
  });

  it('admins list and revoke invitations; a revoked invitation cannot be used', async () => {
    const inv = await ownerA.req('POST', '/api/org/invitations', { email: 'later@example.com', role: 'technician' });
    const list = await ownerA.req('GET', '/api/org/invitations');
    const pending = list.body.find((i: any) => i.email === 'later@example.com');
    expect(pending.status).toBe('pending');
    expect(JSON.stringify(list.body)).not.toContain(inv.body.token);
    expect((await viewerA.req('GET', '/api/org/invitations')).status).toBe(403);
    expect((await ownerB.req('DELETE', `/api/org/invitations/${pending.id}`)).status).toBe(404);
    expect((await ownerA.req('DELETE', `/api/org/invitations/${pending.id}`)).status).toBe(200);
    const u = new UserClient(s.url);
    const r = await u.req('POST', '/api/auth/signup', {
      email: 'later@example.com',
      password: 'long enough pw',
      name: 'L',
      inviteToken: inv.body.token,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_invitation');
  });

  it('admins manage members: role changes and removal, with owner rules', async () => {
    const inv = await ownerA.req('POST', '/api/org/invitations', { email: 'admin@example.com', role: 'admin' });
    const admin = await UserClient.signup(s.url, 'admin@example.com', { inviteToken: inv.body.token });
    const inv2 = await ownerA.req('POST', '/api/org/invitations', { email: 'temp@example.com', role: 'viewer' });
    const temp = await UserClient.signup(s.url, 'temp@example.com', { inviteToken: inv2.body.token });
    expect((await viewerA.req('PATCH', `/api/org/users/${temp.user.id}`, { role: 'technician' })).status).toBe(403);
    expect((await admin.req('PATCH', `/api/org/users/${temp.user.id}`, { role: 'technician' })).body.role).toBe('technician');
    expect((await admin.req('PATCH', `/api/org/users/${temp.user.id}`, { role: 'owner' })).status).toBe(403);
    expect((await admin.req('PATCH', `/api/org/users/${ownerA.user.id}`, { role: 'viewer' })).status).toBe(403);
    expect((await ownerA.req('PATCH', `/api/org/users/${ownerA.user.id}`, { role: 'admin' })).status).toBe(409);
    expect((await ownerB.req('PATCH', `/api/org/users/${temp.user.id}`, { role: 'viewer' })).status).toBe(404);
    expect((await admin.req('DELETE', `/api/org/users/${temp.user.id}`)).status).toBe(200);
    expect((await temp.req('GET', '/api/auth/verify')).status).toBe(401);
    expect((await admin.req('DELETE', `/api/org/users/${admin.user.id}`)).status).toBe(409);
  });

  it('unknown routes and bad JSON on user routes are clean 4xx', async () => {
    expect((await ownerA.req('GET', '/api/nope')).status).toBe(404);
    const r = await ownerA.req('POST', '/api/devices', undefined, {
      raw: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('malformed_json');
  });
});
