import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromFlasherArgs } from '../src/manifest.ts';
import { NodeSerialPort } from '../src/node-serial.ts';
import { SerialLink } from '../src/transport.ts';
import { bundleForBrowser, ensureBuilt, hasChromium, launchChromium, repoRoot } from '../test/chromium.ts';
import { fixtureBuild } from '../test/firmware-fixture.ts';
import { serveStatic } from '../test/static-server.ts';

const DEVICE = join(repoRoot, 'firmware/esp32-tflm/host/build/signalcraft-device');
const hasSocat = ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some(existsSync);

const shots = join(repoRoot, 'docs/screenshots');

describe.skipIf(!hasChromium)(
  'web flasher in Chromium with a fake Web Serial port and a virtual ESP32',
  { timeout: 180_000 },
  () => {
    let browser: Browser;
    let close: () => Promise<void>;
    let base: string;
    let harness: string;
    let stop: () => void;
    const build = fixtureBuild(48 * 1024);
    const manifest = manifestFromFlasherArgs(build.flasherArgs, { name: 'Signalcraft', version: '0.1.0', pathPrefix: 'esp32/' });

    beforeAll(async () => {
      ensureBuilt('flasher/web/vite.config.ts', 'flasher/web/dist/index.html');
      harness = await bundleForBrowser(join(repoRoot, 'flasher/test/browser-harness.ts'));
      const memory: Record<string, Uint8Array | string> = { '/firmware/manifest.json': JSON.stringify(manifest) };
      for (const [name, bytes] of Object.entries(build.files)) memory[`/firmware/esp32/${name}`] = bytes;
      const s = await serveStatic({ '/flasher/': join(repoRoot, 'flasher/web/dist') }, memory);
      base = s.url;
      stop = () => s.server.close();
      ({ browser, close } = await launchChromium());
      mkdirSync(shots, { recursive: true });
    });

    afterAll(async () => {
      await close?.();
      stop?.();
    });

    it('flashes the manifest build, verifies the virtual flash, then provisions Wi-Fi and the cloud over Improv', async () => {
      const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
      const page = await ctx.newPage();
      await page.addInitScript(harness);
      await page.goto(`${base}/flasher/#cloud=${encodeURIComponent('http://127.0.0.1:8787')}&token=dev_tok_42`);
      await expect.poll(() => page.locator('[data-testid=firmware] option').first().textContent()).toContain('Signalcraft 0.1.0');
      await page.selectOption('[data-testid=baud]', '921600');
      await page.evaluate(() => {
        const bar = document.querySelector('[data-testid=progress]') as HTMLElement;
        const seen: number[] = [];
        (window as unknown as { __widths: number[] }).__widths = seen;
        new MutationObserver(() => seen.push(Number.parseFloat(bar.style.width))).observe(bar, { attributes: true });
      });
      await page.click('[data-testid=install]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=flash-status]')?.textContent?.includes('Installed'),
        null,
        {
          timeout: 60_000,
        },
      );
      // The bar moved through intermediate values and never went backwards.
      const widths = await page.evaluate(() => (window as unknown as { __widths: number[] }).__widths);
      expect(new Set(widths.filter((w) => w > 0 && w < 100)).size).toBeGreaterThanOrEqual(3);
      expect(widths.slice(1).every((w, i) => w >= widths[i] || w === 0)).toBe(true);
      expect(await page.locator('[data-testid=progress]').getAttribute('style')).toContain('100%');
      for (const p of manifest.builds[0].parts) {
        const want = build.files[p.path.replace('esp32/', '')];
        const got = await page.evaluate(([off, len]) => Array.from(window.__virtualEsp32.flash.subarray(off, off + len)), [
          p.offset,
          want.length,
        ] as const);
        expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
      }
      // The board rebooted into the app; its log reaches the monitor.
      await expect
        .poll(() => page.locator('[data-testid=monitor]').textContent())
        .toContain('signalcraft: firmware 0.1.0 booting');

      expect(await page.inputValue('[data-testid=token]')).toBe('dev_tok_42');
      await page.click('[data-testid=scan]');
      await expect.poll(() => page.inputValue('[data-testid=ssid]')).toBe('ColdRoom-2G');
      await page.fill('[data-testid=password]', 'wrong-password');
      await page.click('[data-testid=provision]');
      await expect.poll(() => page.textContent('[data-testid=provision-status]')).toContain('could not join that Wi-Fi network');
      await page.fill('[data-testid=password]', 'frost-1234');
      await page.click('[data-testid=provision]');
      await page.waitForFunction(() => document.querySelector('[data-testid=provision-status]')?.textContent?.includes('online'));
      expect(await page.evaluate(() => window.__virtualEsp32.app.cloud)).toEqual({
        url: 'http://127.0.0.1:8787',
        token: 'dev_tok_42',
      });
      expect(await page.textContent('[data-testid=device-info]')).toContain('sc-12b4');
      await page.screenshot({ path: join(shots, 'flasher-desktop.png'), fullPage: true });
      await ctx.close();
    });

    it('tells the user to hold BOOT when the board has no auto-reset circuit', async () => {
      const ctx = await browser.newContext({ locale: 'en-US' });
      const page = await ctx.newPage();
      await page.addInitScript('window.__virtualEsp32Options = { autoReset: false };');
      await page.addInitScript(harness);
      await page.goto(`${base}/flasher/`);
      await expect.poll(() => page.locator('[data-testid=firmware] option').count()).toBe(1);
      await page.selectOption('[data-testid=baud]', '115200');
      await page.click('[data-testid=install]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=flash-status]')?.textContent?.includes('failed'),
        null,
        {
          timeout: 40_000,
        },
      );
      expect(await page.textContent('[data-testid=flash-status]')).toMatch(/Hold BOOT/);
      await ctx.close();
    });

    it('explains that Safari and phones have no Web Serial, in Korean too (phone width)', async () => {
      const ctx = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, isMobile: true });
      const page = await ctx.newPage();
      await page.addInitScript(() => {
        // What Safari and mobile browsers look like: no navigator.serial at all.
        delete (Navigator.prototype as unknown as { serial?: unknown }).serial;
      });
      await page.goto(`${base}/flasher/`);
      await expect.poll(() => page.isVisible('[data-testid=no-serial]')).toBe(true);
      expect(await page.textContent('[data-testid=no-serial]')).toContain('Safari');
      expect(await page.textContent('h1')).toBe('Signalcraft 펌웨어 설치');
      expect(await page.isDisabled('[data-testid=install]')).toBe(true);
      await page.screenshot({ path: join(shots, 'flasher-phone.png'), fullPage: true });
      await page.click('[data-testid=lang]');
      expect(await page.textContent('h1')).toBe('Signalcraft flasher');
      await ctx.close();
    });

    it.skipIf(!existsSync(DEVICE) || !hasSocat)(
      'provisions the firmware host build over a pty from the browser (Web Serial bridged to the pty)',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sc-pty-web-'));
        const procs: ChildProcess[] = [];
        let link: SerialLink | null = null;
        try {
          const devLink = join(dir, 'device-tty');
          const hostLink = join(dir, 'host-tty');
          procs.push(spawn('socat', [`pty,raw,echo=0,link=${devLink}`, `pty,raw,echo=0,link=${hostLink}`], { stdio: 'ignore' }));
          const until = Date.now() + 5000;
          while (!(existsSync(devLink) && existsSync(hostLink)) && Date.now() < until)
            await new Promise((r) => setTimeout(r, 25));
          const settings = join(dir, 'settings.json');
          procs.push(spawn(DEVICE, ['--improv', devLink, '--settings', settings], { stdio: 'ignore' }));
          await new Promise((r) => setTimeout(r, 150));

          const bridge = await bundleForBrowser(join(repoRoot, 'flasher/test/browser-bridge-harness.ts'));
          const ctx = await browser.newContext({ locale: 'en-US' });
          const page = await ctx.newPage();
          link = new SerialLink(new NodeSerialPort(hostLink));
          const pty = link;
          await page.exposeFunction('__bridgeWrite', (bytes: number[]) => pty.write(Uint8Array.from(bytes)));
          await page.addInitScript(bridge);
          await page.goto(
            `${base}/flasher/?device=dev_web_7#cloud=${encodeURIComponent('http://127.0.0.1:8787')}&token=sc_dev_web_token`,
          );
          await pty.open(115200);
          pty.onData((b) => void page.evaluate((bytes) => window.__bridgePush(bytes), Array.from(b)).catch(() => undefined));
          await page.click('[data-testid=provision-only]');
          await page.click('[data-testid=scan]');
          await expect.poll(() => page.inputValue('[data-testid=ssid]')).toBe('Signalcraft-Lab');
          await page.fill('[data-testid=password]', 'frost-1234');
          await page.click('[data-testid=provision]');
          await page.waitForFunction(
            () => document.querySelector('[data-testid=provision-status]')?.textContent?.includes('online'),
            null,
            {
              timeout: 30_000,
            },
          );
          expect(await page.textContent('[data-testid=device-info]')).toContain('signalcraft 0.1.0 · host');
          // The firmware answers with its dashboard URL; the page offers it as a link.
          expect(await page.getAttribute('[data-testid=open-dashboard]', 'href')).toBe('http://127.0.0.1:8787/app/');
          const saved = JSON.parse(readFileSync(settings, 'utf8'));
          expect(saved).toMatchObject({
            ssid: 'Signalcraft-Lab',
            password: 'frost-1234',
            cloudUrl: 'http://127.0.0.1:8787',
            token: 'sc_dev_web_token',
            deviceId: 'dev_web_7',
          });
          await expect.poll(() => page.textContent('[data-testid=monitor]')).toContain('cloud: url set to http://127.0.0.1:8787');
          await ctx.close();
        } finally {
          await link?.close().catch(() => undefined);
          for (const p of procs) p.kill('SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
