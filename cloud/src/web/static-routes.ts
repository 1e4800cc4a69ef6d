/**
 * Serves the built browser apps: the dashboard at /app/ (a single-page app: unknown paths under
 * /app/ get index.html), the flasher at /flasher/, and firmware manifests + images at /firmware/.
 * Mount it in the cloud app with `app.route('/', webRoutes())`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface WebRoutesOptions {
  appDist?: string;
  flasherDist?: string;
  /** Folder holding manifest.json and the images it lists (e.g. an ESP-IDF build's manifest output). */
  firmwareDir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

async function fileResponse(root: string, rel: string, cache: string): Promise<Response | null> {
  const path = normalize(join(root, rel));
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const s = await stat(path);
    if (!s.isFile()) return null;
    const body = await readFile(path);
    return new Response(body, {
      headers: {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': cache,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return null;
  }
}

const notBuilt = (what: string) =>
  new Response(`${what} is not built: run "npm run build:web"\n`, { status: 503, headers: { 'content-type': 'text/plain' } });

export function webRoutes(opts: WebRoutesOptions = {}): Hono {
  const appDist = resolve(opts.appDist ?? join(repoRoot, 'cloud/src/web/dist'));
  const flasherDist = resolve(opts.flasherDist ?? join(repoRoot, 'flasher/web/dist'));
  const firmwareDir = opts.firmwareDir ? resolve(opts.firmwareDir) : null;
  const app = new Hono();

  app.get('/', (c) => c.redirect('/app/', 302));
  app.get('/app', (c) => c.redirect('/app/', 301));
  app.get('/flasher', (c) => c.redirect('/flasher/', 301));

  app.get('/app/*', async (c) => {
    const rel = c.req.path.slice('/app/'.length);
    // Hashed assets never change; everything else (index.html, sw.js) must revalidate.
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (rel && extname(rel)) {
      const res = await fileResponse(appDist, rel, cache);
      if (res) {
        if (rel === 'sw.js') res.headers.set('service-worker-allowed', '/app/');
        return res;
      }
      return c.text('not found', 404);
    }
    return (await fileResponse(appDist, 'index.html', 'no-cache')) ?? notBuilt('the dashboard');
  });

  app.get('/flasher/*', async (c) => {
    const rel = c.req.path.slice('/flasher/'.length) || 'index.html';
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    const res = await fileResponse(flasherDist, rel, cache);
    if (res) return res;
    return rel === 'index.html' ? notBuilt('the flasher') : c.text('not found', 404);
  });

  app.get('/firmware/*', async (c) => {
    if (!firmwareDir) return c.json({ error: { code: 'not_found', message: 'no firmware folder is configured' } }, 404);
    const rel = c.req.path.slice('/firmware/'.length);
    return (
      (await fileResponse(firmwareDir, rel, 'no-cache')) ??
      c.json({ error: { code: 'not_found', message: `no firmware file ${rel}` } }, 404)
    );
  });

  return app;
}
