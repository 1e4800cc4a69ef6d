import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProvision } from './provision.ts';

const root = join(import.meta.dirname, '../../..');
const DEVICE = join(root, 'firmware/esp32-tflm/host/build/signalcraft-device');
const hasSocat = ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some(existsSync);

const waitFor = async (check: () => boolean, what: string, ms = 5000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * `signalcraft provision` over real serialport bindings and a real pty pair (socat) to the
 * firmware's host build (`signalcraft-device --improv`), which runs the same Improv code as the ESP32.
 */
describe.skipIf(!existsSync(DEVICE) || !hasSocat)('provision the firmware host build over a pty', () => {
  const procs: ChildProcess[] = [];
  let dir = '';

  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startDevice() {
    dir = mkdtempSync(join(tmpdir(), 'sc-pty-'));
    const devLink = join(dir, 'device-tty');
    const hostLink = join(dir, 'host-tty');
    const socat = spawn('socat', [`pty,raw,echo=0,link=${devLink}`, `pty,raw,echo=0,link=${hostLink}`], { stdio: 'ignore' });
    procs.push(socat);
    await waitFor(() => existsSync(devLink) && existsSync(hostLink), 'socat ptys');
    const settings = join(dir, 'settings.json');
    const device = spawn(DEVICE, ['--improv', devLink, '--settings', settings], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(device);
    let log = '';
    device.stderr?.on('data', (b) => {
      log += String(b);
    });
    await new Promise((r) => setTimeout(r, 150));
    return { hostLink, settings, log: () => log };
  }

  it('sets Wi-Fi, cloud URL, token and device id; the device persists them', async () => {
    const { hostLink, settings } = await startDevice();
    const r = await runProvision(
      {
        port: hostLink,
        ssid: 'ColdRoom-2G',
        password: 'frost-1234',
        cloud: 'http://127.0.0.1:8787',
        token: 'sc_dev_pty_token',
        deviceId: 'dev_pty_42',
        timeout: 10,
      },
      undefined,
      () => {},
    );
    expect(r).toMatchObject({ state: 'provisioned', wifi: true, cloud: true, device: { firmware: 'signalcraft' } });
    await waitFor(() => existsSync(settings), 'settings file');
    const saved = JSON.parse(readFileSync(settings, 'utf8'));
    expect(saved).toMatchObject({
      ssid: 'ColdRoom-2G',
      cloudUrl: 'http://127.0.0.1:8787',
      token: 'sc_dev_pty_token',
      deviceId: 'dev_pty_42',
    });
  });

  it('reports a Wi-Fi password the device cannot use as "unable to connect"', async () => {
    const { hostLink } = await startDevice();
    await expect(
      runProvision({ port: hostLink, ssid: 'ColdRoom-2G', password: 'short', timeout: 10 }, undefined, () => {}),
    ).rejects.toThrow(/unable to connect/);
  });
});
