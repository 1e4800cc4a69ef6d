// Builds the browser bundles the cloud serves (dashboard at /app/, flasher at /flasher/) with Vite.
// Each bundle is built only if its Vite config exists, so partial checkouts still start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const configs = ['cloud/src/web/vite.config.ts', 'flasher/web/vite.config.ts'].filter((c) => existsSync(join(root, c)));
for (const config of configs) {
  const r = spawnSync('npx', ['vite', 'build', '--config', config, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`web build failed: ${config}`);
    process.exit(1);
  }
}
