import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, startTestServer, UserClient } from '../testing/harness.ts';
import { SseClient } from '../testing/sse-client.ts';

describe('two instances on one database (poll broadcaster)', () => {
  it('a verdict posted to instance A reaches an SSE client of instance B, and sessions work on both', async () => {
    const a = await startTestServer({}, { broadcaster: 'poll' });
    const b = await startTestServer({ DATABASE_URL: `file:${path.join(a.dir, 'test.db')}` }, { dir: a.dir, broadcaster: 'poll' });
    try {
      const owner = await UserClient.signup(a.url, 'multi@example.com');
      const viaB = new UserClient(b.url);
      viaB.cookies = owner.cookies;
      expect((await viaB.req('GET', '/api/auth/verify')).status).toBe(200);
      const dev = await owner.req('POST', '/api/devices', {
        name: 'X',
        siteName: 'S',
        machineName: 'M',
        compressorType: 'scroll',
      });
      const sse = await new SseClient(`${b.url}/api/notifications/stream`, { cookie: owner.cookieHeader() }).open();
      const r = await call(a.url, 'POST', '/api/v1/device/verdicts', {
        token: dev.body.provisioningToken,
        body: {
          v: 1,
          deviceId: dev.body.device.id,
          bootId: 'abcd1234',
          seq: 1,
          modelSha256: 'a'.repeat(64),
          windows: [{ t: Date.now(), score: 0.3, state: 'normal', levelDb: -40 }],
        },
      });
      expect(r.status).toBe(200);
      const ev = await sse.waitFor((e) => e.event === 'verdict');
      expect(ev.data.deviceId).toBe(dev.body.device.id);
      // the replay of the same message through instance B is a duplicate
      const again = await call(b.url, 'POST', '/api/v1/device/verdicts', {
        token: dev.body.provisioningToken,
        body: {
          v: 1,
          deviceId: dev.body.device.id,
          bootId: 'abcd1234',
          seq: 1,
          modelSha256: 'a'.repeat(64),
          windows: [{ t: Date.now(), score: 0.3, state: 'normal', levelDb: -40 }],
        },
      });
      expect(again.body.duplicate).toBe(true);
      sse.close();
    } finally {
      await b.close();
      await a.dispose();
    }
  });
});
