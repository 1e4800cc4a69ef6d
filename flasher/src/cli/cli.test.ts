import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SerialPortStream } from '@serialport/stream';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../../cli/progress.ts';
import { fixtureBuild } from '../../test/firmware-fixture.ts';
import { virtualBinding } from '../../test/virtual-binding.ts';
import { VirtualEsp32 } from '../../test/virtual-esp32.ts';
import { encodePacket, PacketType } from '../improv.ts';
import type { NodePortFactory } from '../node-serial.ts';
import { runFlash } from './flash.ts';
import { runProvision } from './provision.ts';

const root = join(import.meta.dirname, '../../..');

function writeBuild() {
  const dir = mkdtempSync(join(tmpdir(), 'sc-idf-build-'));
  const build = fixtureBuild(64 * 1024);
  writeFileSync(join(dir, 'flasher_args.json'), JSON.stringify(build.flasherArgs));
  for (const [name, bytes] of Object.entries(build.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return { dir, build };
}

function factoryFor(devices: Record<string, VirtualEsp32>): NodePortFactory {
  const binding = virtualBinding(devices);
  return ({ path, baudRate }) => new SerialPortStream({ binding, path, baudRate, autoOpen: false }) as never;
}

describe('signalcraft flash / provision over serialport', () => {
  it('flashes an ESP-IDF build into the virtual bootloader, then provisions the booted firmware', async () => {
    const { dir, build } = writeBuild();
    const device = new VirtualEsp32();
    const factory = factoryFor({ '/dev/ttyVIRT0': device });
    const r = await runFlash({ port: '/dev/ttyVIRT0', build: dir, baud: '921600' }, factory, silentProgress);
    expect('result' in r && r.result?.chipFamily).toBe('ESP32');
    const args = build.flasherArgs.flash_files as Record<string, string>;
    for (const [off, name] of Object.entries(args)) {
      const at = Number(off);
      const want = build.files[name];
      expect(Buffer.from(device.flash.subarray(at, at + want.length)).equals(Buffer.from(want))).toBe(true);
    }
    expect(device.commands).toContain(0x0f);
    await new Promise((res) => setTimeout(res, 30));
    expect(device.mode).toBe('app');

    const lines: string[] = [];
    const p = await runProvision(
      { port: '/dev/ttyVIRT0', ssid: 'ColdRoom-2G', password: 'frost-1234', cloud: 'http://127.0.0.1:8787', token: 'tok_1' },
      factory,
      (l) => lines.push(l),
    );
    expect(p).toMatchObject({ state: 'provisioned', wifi: true, cloud: true, device: { chip: 'ESP32' } });
    expect(device.app.cloud).toEqual({ url: 'http://127.0.0.1:8787', token: 'tok_1' });
    expect(lines.join('\n')).toMatch(/Wi-Fi: connected/);

    // --monitor: the device's log streams through, Improv frames do not.
    let monitorText = '';
    setTimeout(() => {
      device.tx(new TextEncoder().encode('I (9000) verdict: score 0.42 normal\r\n'));
      device.tx(encodePacket(PacketType.CurrentState, Uint8Array.of(4), false));
      device.tx(new TextEncoder().encode('I (9005) uplink: 200\r\n'));
    }, 100);
    await runProvision({ port: '/dev/ttyVIRT0', monitorMs: 400, monitorOut: (t) => (monitorText += t) }, factory, () => {});
    expect(monitorText).toBe('I (9000) verdict: score 0.42 normal\r\nI (9005) uplink: 200\r\n');
  });

  it('writes a manifest for the web flasher with offsets from flasher_args.json', async () => {
    const { dir } = writeBuild();
    const r = await runFlash({ build: dir, writeManifest: true });
    const m = JSON.parse(readFileSync((r as { manifestPath: string }).manifestPath, 'utf8'));
    expect(m.builds[0].parts.map((p: { offset: number }) => p.offset)).toEqual([0x1000, 0x8000, 0x10000]);
    // Publishing elsewhere copies the images next to the manifest, byte for byte.
    const out = join(mkdtempSync(join(tmpdir(), 'sc-release-')), 'release');
    const pub = await runFlash({ build: dir, writeManifest: true, out });
    const published = JSON.parse(readFileSync((pub as { manifestPath: string }).manifestPath, 'utf8'));
    for (const p of published.builds[0].parts) {
      expect(readFileSync(join(out, p.path)).equals(readFileSync(join(dir, p.path)))).toBe(true);
    }
  });

  it('gives one-line errors for bad flags, missing files and unknown ports', async () => {
    const { dir } = writeBuild();
    await expect(runFlash({ port: 'x', build: dir, baud: 'fast' })).rejects.toThrow(/--baud must be a number/);
    await expect(runFlash({ port: 'x', build: '/nonexistent' })).rejects.toThrow(/cannot read .*flasher_args.json/);
    await expect(runFlash({ build: dir })).rejects.toThrow(/--port is required/);
    const factory = factoryFor({});
    await expect(runFlash({ port: '/dev/ttyNOPE', build: dir }, factory, silentProgress)).rejects.toThrow(/no such port/);
    await expect(runProvision({ port: '/dev/x', cloud: 'ftp://a', token: 't' })).rejects.toThrow(/http\(s\) URL/);
    await expect(runProvision({ port: '/dev/x', cloud: 'http://a' })).rejects.toThrow(/go together/);
  });

  it('the real binary reports a missing --port as a usage error', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/signalcraft.mjs'), 'provision'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port is required.*(ports found|no serial ports found)/);
  });
});
