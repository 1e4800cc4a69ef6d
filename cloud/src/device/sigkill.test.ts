import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { verdictWindows } from '../db/schema.ts';
import { createOrg, registerDevice } from '../fleet/registry.ts';
import { REPO_ROOT } from '../models/registry.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'signalcraft.mjs');
const WINDOWS = 4;

function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (b) => {
      err += b;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

describe('SIGKILL while a device replays its outbox', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('loses no acknowledged verdict and stores each exactly once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-kill-'));
    dirs.push(dir);
    const env = {
      DATA_DIR: dir,
      DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`,
      LOG_REQUESTS: 'false',
      DEVICE_RATE_BURST: '100000',
    };
    const setup = await openDatabase(env.DATABASE_URL);
    const orgId = await createOrg(setup.db, 'Kill Test');
    const { device, token } = await registerDevice(setup.db, orgId, {
      name: 'K',
      siteName: 'S',
      machineName: 'M',
      compressorType: 'scroll',
    });
    setup.close();

    const total = 90;
    const acked = new Set<number>();
    let server = await startChild(env);
    const killAt = [30, 60];
    let kills = 0;
    const t0 = Date.now() - 3600_000;
    // the device's outbox: send seq in order, retry each until it is acknowledged
    for (let seq = 1; seq <= total; seq++) {
      const body = JSON.stringify({
        v: 1,
        deviceId: device.id,
        bootId: '5151515151',
        seq,
        modelSha256: 'd'.repeat(64),
        windows: Array.from({ length: WINDOWS }, (_, i) => ({
          t: t0 + seq * 10_000 + i * 2500,
          score: 0.5,
          state: 'normal',
          levelDb: -40,
        })),
      });
      for (;;) {
        if (kills < killAt.length && seq === killAt[kills]) {
          // kill with requests possibly in flight: fire one without waiting, then SIGKILL
          void fetch(`${server.url}/api/v1/device/verdicts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          }).catch(() => undefined);
          server.child.kill('SIGKILL');
          await new Promise((r) => server.child.once('exit', r));
          kills++;
          server = await startChild(env);
        }
        try {
          const res = await fetch(`${server.url}/api/v1/device/verdicts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          });
          if (res.status === 200) {
            const ack = await res.json();
            expect(ack.ack.seq).toBe(seq);
            acked.add(seq);
            break;
          }
          throw new Error(`unexpected ${res.status}`);
        } catch (err) {
          if (String(err).includes('unexpected')) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    expect(kills).toBe(2);
    expect(acked.size).toBe(total);

    const check = await openDatabase(env.DATABASE_URL);
    try {
      const perSeq = await check.db
        .select({ seq: verdictWindows.seq, n: sql<number>`count(*)` })
        .from(verdictWindows)
        .where(eq(verdictWindows.deviceId, device.id))
        .groupBy(verdictWindows.seq);
      const bySeq = new Map(perSeq.map((r) => [r.seq, Number(r.n)]));
      for (const seq of acked) expect(bySeq.get(seq), `seq ${seq}`).toBe(WINDOWS);
      expect(perSeq.length).toBe(total);
    } finally {
      check.close();
    }
  }, 120_000);
});
