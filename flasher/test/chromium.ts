/**
 * Real headless Chromium for the web tests (Debian's /usr/bin/chromium through playwright-core),
 * plus helpers to bundle test-only scripts and to build the web apps when dist/ is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const repoRoot = join(import.meta.dirname, '../..');
export const hasChromium = existsSync(CHROMIUM);

/** playwright gives every launch a fresh temporary profile (its own --user-data-dir). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  // The whole suite shares two cores with training jobs: give page waits room (a slow run should
  // be slow, not red). Every context the tests open gets the longer default.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (opts) => {
    const ctx = await newContext(opts);
    ctx.setDefaultTimeout(60_000);
    return ctx;
  };
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Builds a Vite app unless its dist/index.html exists (the test runner normally built it). */
export function ensureBuilt(config: string, distIndex: string): void {
  if (existsSync(join(repoRoot, distIndex))) return;
  const r = spawnSync('npx', ['vite', 'build', '--config', config, '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed for ${config}`);
}

/** Bundles a test-only browser script into one IIFE string for page.addInitScript. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const { build } = await import('vite');
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['iife'], name: 'ScTestHarness', fileName: 'harness' },
    },
  });
  const first = Array.isArray(out) ? out[0] : out;
  const chunk = (first as { output: { type: string; code?: string }[] }).output.find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error(`bundling ${entry} produced no code`);
  return chunk.code;
}
