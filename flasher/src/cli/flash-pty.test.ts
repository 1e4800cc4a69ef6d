import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureBuild } from '../../test/firmware-fixture.ts';
import { VirtualEsp32 } from '../../test/virtual-esp32.ts';
import { NodeSerialPort } from '../node-serial.ts';
import { SerialLink } from '../transport.ts';

const root = join(import.meta.dirname, '../../..');
const hasSocat = ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some(existsSync);

/**
 * The real `signalcraft flash` process, real serialport bindings, a socat pty pair, and the virtual
 * ESP32 on the other end. A pty has no DTR/RTS lines, so this is the "board without auto-reset"
 * case: BOOT is "held" (the device starts in download mode) and the CLI's reset calls are no-ops.
 */
describe.skipIf(!hasSocat)('signalcraft flash (the CLI process) over a pty to the virtual ESP32', () => {
  const procs: ChildProcess[] = [];
  let dir = '';
  let link: SerialLink | null = null;

  afterEach(async () => {
    await link?.close().catch(() => undefined);
    for (const p of procs.splice(0)) p.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every part; the virtual flash equals the images and the CLI reports the MD5 check', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sc-flash-pty-'));
    const build = fixtureBuild(40 * 1024);
    const buildDir = join(dir, 'build');
    mkdirSync(buildDir);
    writeFileSync(join(buildDir, 'flasher_args.json'), JSON.stringify(build.flasherArgs));
    for (const [name, bytes] of Object.entries(build.files)) {
      mkdirSync(dirname(join(buildDir, name)), { recursive: true });
      writeFileSync(join(buildDir, name), bytes);
    }
    const devLink = join(dir, 'device-tty');
    const hostLink = join(dir, 'host-tty');
    procs.push(spawn('socat', [`pty,raw,echo=0,link=${devLink}`, `pty,raw,echo=0,link=${hostLink}`], { stdio: 'ignore' }));
    const until = Date.now() + 5000;
    while (!(existsSync(devLink) && existsSync(hostLink)) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));

    const device = new VirtualEsp32();
    link = new SerialLink(new NodeSerialPort(devLink));
    await link.open(115200);
    const l = link;
    device.tx = (bytes) => void l.write(bytes).catch(() => undefined);
    // A pty carries no baud rate: both ends always "agree".
    l.onData((bytes) => device.receive(bytes, device.baud));
    device.bootIntoDownloadMode();

    const cli = spawn(
      process.execPath,
      [join(root, 'bin/signalcraft.mjs'), 'flash', '--port', hostLink, '--build', buildDir, '--baud', '460800'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    procs.push(cli);
    let stderr = '';
    cli.stderr.on('data', (b) => {
      stderr += String(b);
    });
    const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
    expect(stderr).toMatch(/flash done in .*MD5 verified/);
    expect(code).toBe(0);
    for (const [off, name] of Object.entries(build.flasherArgs.flash_files as Record<string, string>)) {
      const want = build.files[name];
      expect(Buffer.from(device.flash.subarray(Number(off), Number(off) + want.length)).equals(Buffer.from(want))).toBe(true);
    }
    expect(stderr).toMatch(/flash +\d+% \(/); // progress lines
  }, 60_000);
});
