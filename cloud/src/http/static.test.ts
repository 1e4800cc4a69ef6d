import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountStatic } from './static.ts';

describe('static mounts', () => {
  it('serves built files, falls back to index.html for client routes, and skips missing folders', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-static-'));
    try {
      await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
      await writeFile(path.join(dir, 'main.js'), 'console.log(1)');
      const app = new Hono();
      const mounted = mountStatic(app, [
        { prefix: '/app', dir, spa: true },
        { prefix: '/firmware', dir: path.join(dir, 'does-not-exist'), spa: false },
      ]);
      expect(mounted).toEqual(['/app']);
      expect((await app.request('/app')).status).toBe(301);
      expect(await (await app.request('/app/')).text()).toContain('<title>app</title>');
      const js = await app.request('/app/main.js');
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(await (await app.request('/app/machines/123')).text()).toContain('<title>app</title>');
      expect((await app.request('/firmware/manifest.json')).status).toBe(404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
