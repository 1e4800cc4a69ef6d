// Installs (or finds) the Debian packages the tests need, so a fresh machine passes `npm test`.
// Idempotent: does nothing when everything is already there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the tests need, how to tell it is present, and the Debian package that brings it. */
const NEEDS = [
  { what: 'cmake', present: () => has('cmake'), pkg: 'cmake' },
  { what: 'g++', present: () => has('g++'), pkg: 'g++' },
  { what: 'GoogleTest', present: () => existsSync('/usr/include/gtest/gtest.h'), pkg: 'libgtest-dev' },
  { what: 'Chromium', present: () => existsSync('/usr/bin/chromium'), pkg: 'chromium', browser: true },
  // Hangul glyphs for the Korean screenshots the web tests take.
  // A pty pair for provisioning the firmware's host build over "serial" in the flasher tests.
  { what: 'socat', present: () => has('socat'), pkg: 'socat' },
  { what: 'Korean fonts', present: () => existsSync('/usr/share/fonts/truetype/nanum'), pkg: 'fonts-nanum' },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** `browser: false` skips what only the browser tests need (npm start builds just the firmware). */
export function ensureSystemDeps({ browser = true } = {}) {
  const missing = NEEDS.filter((n) => (browser || !n.browser) && !n.present());
  if (missing.length === 0) return;
  const pkgs = missing.map((m) => m.pkg);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.map((m) => m.what).join(', ')}: run "sudo apt-get install -y ${pkgs.join(' ')}"`);
  }
  process.stderr.write(`installing ${pkgs.join(' ')} from Debian…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemDeps();
