/**
 * Device-to-browser latency: a device POSTs a verdict batch to a real server (embedded libSQL
 * file) and a signed-in user's SSE stream receives the `verdict` event, and, for a batch over the
 * alarm threshold, the `alarm` event. The clock starts just before the POST and stops when the
 * event's bytes arrive at the browser-side client, both on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../cloud/src/config.ts';
import { registerDevice } from '../cloud/src/fleet/registry.ts';
import { seedDemo } from '../cloud/src/seed.ts';
import { startServer } from '../cloud/src/server.ts';
import { type BenchFigure, median } from './types.ts';

/** A minimal SSE reader: resolves waiters by event name as frames arrive. */
async function openStream(url: string, cookie: string) {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: ctrl.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${res.status}`);
  const waiters: { type: string; match: (data: any) => boolean; resolve: (at: number) => void }[] = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buf += decoder.decode(value, { stream: true });
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const type = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (type && data) {
            const parsed = JSON.parse(data);
            for (let k = waiters.length - 1; k >= 0; k--) {
              if (waiters[k].type === type && waiters[k].match(parsed)) waiters.splice(k, 1)[0].resolve(at);
            }
          }
          i = buf.indexOf('\n\n');
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    next(type: string, match: (data: any) => boolean): Promise<number> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${type} event within 10 s`)), 10_000);
        waiters.push({
          type,
          match,
          resolve: (at) => {
            clearTimeout(t);
            resolve(at);
          },
        });
      });
    },
    close: () => ctrl.abort(),
  };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-alert-'));
  const config = loadConfig({ PORT: '0', DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, DATA_DIR: dir, LOG_REQUESTS: 'false' });
  const server = await startServer({ config });
  try {
    const demo = await seedDemo(server.ctx.db, { count: 0 });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo.email, password: demo.password }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const stream = await openStream(`${server.url}/api/notifications/stream`, cookie);
    const threshold = server.ctx.model?.thresholds?.alert ?? 1;
    const runs = quick ? 5 : 25;
    const verdictMs: number[] = [];
    const alarmMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      // A fresh device per run: one open alarm per device and type, so each run opens a new one.
      const { device, token } = await registerDevice(server.ctx.db, demo.orgId, {
        name: `bench-${r}`,
        siteName: 'bench',
        machineName: `bench machine ${r}`,
        compressorType: 'scroll',
        location: 'bench',
      });
      const bootId = randomBytes(8).toString('hex');
      const now = Date.now();
      const post = (seq: number, state: string, score: number) =>
        fetch(`${server.url}/api/v1/device/verdicts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            v: 1,
            deviceId: device.id,
            bootId,
            seq,
            modelSha256: server.ctx.model?.sha256 ?? '0'.repeat(64),
            windows: Array.from({ length: 10 }, (_, i) => ({ t: now + seq * 10_000 + i * 1000, score, state, levelDb: -30 })),
          }),
        });
      const gotVerdict = stream.next('verdict', (d) => JSON.stringify(d).includes(device.id));
      let t0 = performance.now();
      let res = await post(1, 'normal', threshold * 0.2);
      if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
      verdictMs.push((await gotVerdict) - t0);

      const gotAlarm = stream.next('alarm', (d) => JSON.stringify(d).includes(device.id));
      t0 = performance.now();
      res = await post(2, 'alarm', threshold * 3);
      if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
      alarmMs.push((await gotAlarm) - t0);
    }
    stream.close();
    return [
      {
        id: 'alert.verdict_to_browser_ms',
        label: 'device verdict batch → browser SSE event (p50)',
        value: median(verdictMs),
        unit: 'ms',
        runs,
        detail: { all: verdictMs },
      },
      {
        id: 'alert.alarm_to_browser_ms',
        label: 'over-threshold batch → alarm on browser SSE (p50)',
        value: median(alarmMs),
        unit: 'ms',
        runs,
        detail: { all: alarmMs },
      },
    ];
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
