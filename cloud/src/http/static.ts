import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { REPO_ROOT } from '../models/registry.ts';

/** Built front ends served by the cloud, each only if its folder exists (they are build outputs). */
export const STATIC_MOUNTS = [
  { prefix: '/app', dir: path.join(REPO_ROOT, 'cloud', 'src', 'web', 'dist'), spa: true },
  { prefix: '/flasher', dir: path.join(REPO_ROOT, 'flasher', 'web', 'dist'), spa: true },
  { prefix: '/firmware', dir: path.join(REPO_ROOT, 'firmware', 'esp32-tflm', 'release'), spa: false },
] as const;

export function mountStatic(
  app: Hono<any>,
  mounts: readonly { prefix: string; dir: string; spa: boolean }[] = STATIC_MOUNTS,
): string[] {
  const mounted: string[] = [];
  for (const m of mounts) {
    if (!existsSync(m.dir)) continue;
    app.get(m.prefix, (c) => c.redirect(`${m.prefix}/`, 301));
    const rewrite = (p: string) => p.slice(m.prefix.length) || '/';
    app.use(`${m.prefix}/*`, serveStatic({ root: path.relative(process.cwd(), m.dir) || '.', rewriteRequestPath: rewrite }));
    // single-page apps route on the client: unknown paths get index.html
    if (m.spa) app.get(`${m.prefix}/*`, serveStatic({ path: path.relative(process.cwd(), path.join(m.dir, 'index.html')) }));
    mounted.push(m.prefix);
  }
  return mounted;
}
