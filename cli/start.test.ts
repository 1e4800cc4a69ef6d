import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/signalcraft.mjs', import.meta.url));

interface FleetRow {
  machineId: string;
  health: string;
  lastScore: number | null;
}

describe('signalcraft start (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-start-'));
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dir, '--devices', '3'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  afterAll(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows machines, live scores and an alarm within a bounded time, then stops cleanly on Ctrl-C', async () => {
    const deadline = Date.now() + 60_000;
    while (!/sign in\s+(\S+)\s+\/\s+(\S+)/.test(out)) {
      if (Date.now() > deadline) throw new Error(`start printed no credentials:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const base = /dashboard\s+(http:\/\/\S+)\/app\//.exec(out)![1];
    const [, email, password] = /sign in\s+(\S+)\s+\/\s+(\S+)/.exec(out)!;

    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const get = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${base}${path}`, { headers: { cookie } });
      expect(r.status, path).toBe(200);
      return (await r.json()) as T;
    };

    let fleet: FleetRow[] = [];
    const until = Date.now() + 150_000;
    while (Date.now() < until) {
      fleet = await get<FleetRow[]>('/api/fleet');
      if (fleet.length >= 3 && fleet.every((m) => m.lastScore !== null) && fleet.some((m) => m.health === 'alarm')) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(fleet).toHaveLength(3);
    expect(fleet.every((m) => typeof m.lastScore === 'number')).toBe(true);
    expect(fleet[0].health, `fleet: ${JSON.stringify(fleet)}`).toBe('alarm');
    // Only the machine with the developing fault alarms; the healthy ones must not.
    expect(
      fleet.filter((m) => m.health === 'alarm'),
      `fleet: ${JSON.stringify(fleet)}`,
    ).toHaveLength(1);
    const alarms = await get<{ status: string; machineId: string }[]>('/api/alarms?status=open');
    expect(alarms.some((a) => a.machineId === fleet[0].machineId)).toBe(true);

    // The device sends a clip when it enters alarm (an earlier borderline clip may come first and
    // read normal: the fault was just starting); the cloud ensemble re-scores each.
    let clips: { cloudState: string | null; faultType: string | null }[] = [];
    const confirmed = (c: (typeof clips)[number]) => c.cloudState === 'anomalous' || c.cloudState === 'borderline';
    const rescoreBy = Date.now() + 90_000;
    while (Date.now() < rescoreBy) {
      clips = await get<typeof clips>(`/api/machines/${fleet[0].machineId}/clips`);
      if (clips.some(confirmed)) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(clips.some(confirmed), JSON.stringify(clips)).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped.');
  }, 240_000);
});
