import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../cloud/src/config.ts';
import { seedDemo } from '../cloud/src/seed.ts';
import { openContext } from '../cloud/src/server.ts';
import { ensureDeviceBinary } from './device-binary.ts';
import { runFleet } from './fleet.ts';
import { planFleet } from './scenario.ts';

const BIN = fileURLToPath(new URL('../bin/signalcraft.mjs', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startCloud(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('listening on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`cloud exited (${code}): ${err}`)));
  });
}

describe('simulated fleet against a cloud that is killed mid-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-fleet-test-'));
  let env: Record<string, string>;
  let cloud: ChildProcess | null = null;
  let binary: string;

  beforeAll(async () => {
    binary = await ensureDeviceBinary();
    const port = await freePort();
    env = { PORT: String(port), DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, DATA_DIR: dir, LOG_REQUESTS: 'false' };
  }, 300_000);

  afterAll(() => {
    cloud?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with every verdict the devices produced, none lost and none duplicated', async () => {
    const config = loadConfig(env);
    const ctx = await openContext(config);
    const seed = await seedDemo(ctx.db, { count: 3 });
    ctx.database.close();
    cloud = await startCloud(env);

    const plans = planFleet({ devices: 3, seed: 7, firstFaultS: 10, outage: true });
    const fleet = await runFleet({
      cloudUrl: `http://127.0.0.1:${env.PORT}`,
      devices: seed.devices.map((d, i) => ({ plan: plans[i], deviceId: d.id, token: d.token })),
      binary,
      workDir: join(dir, 'devices'),
      durationS: 60,
      segmentS: 5,
      realtime: false,
      batchWindows: 5,
      learningWindows: 10,
      clipIntervalS: 1e6,
    });

    // Kill the cloud without warning once the devices have started delivering, then bring it back.
    while (fleet.proxy.stats.forwarded < 4) await new Promise((r) => setTimeout(r, 20));
    cloud.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    cloud = await startCloud(env);

    const summaries = await fleet.done;
    expect(fleet.proxy.stats.upstreamDown + fleet.proxy.stats.cut).toBeGreaterThan(0);
    for (const s of summaries) expect(s.pending, `${s.deviceId} still has messages in its outbox`).toBe(0);

    cloud.kill('SIGTERM');
    await new Promise((r) => cloud!.once('exit', r));
    cloud = null;
    const check = await openContext(loadConfig(env));
    try {
      for (const d of seed.devices) {
        const produced = fleet.windows.get(d.id)!.map((w) => w.t);
        expect(produced.length).toBeGreaterThan(40);
        const rows = await check.database.client.execute({
          sql: 'select t from verdict_windows where device_id = ? order by t',
          args: [d.id],
        });
        const stored = rows.rows.map((r) => Number(r.t));
        expect(stored.length, 'no duplicates').toBe(new Set(stored).size);
        expect(stored, 'the cloud holds exactly the windows the device decided').toEqual([...produced].sort((a, b) => a - b));
      }
    } finally {
      check.database.close();
    }
  }, 240_000);
});
