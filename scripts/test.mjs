// `npm test`: every test of the project. Type-checks and lints, installs the Debian packages the tests need, builds and
// runs the firmware's host tests (CMake + GoogleTest via ctest), then the TypeScript suite (vitest,
// which also drives real Chromium). Ends with one "N passed, N failed" line over both.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';

const root = new URL('..', import.meta.url).pathname;
ensureSystemDeps();

let passed = 0;
let failed = 0;
let skipped = 0;

// Static checks first: a type error or lint finding fails the run like a failing test.
for (const [what, args] of [
  ['typecheck', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['biome', 'check', '.']],
]) {
  const r = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed += 1;
  else {
    console.error(`${what} failed: npx ${args.join(' ')}`);
    failed += 1;
  }
}

const hostDir = join(root, 'firmware/esp32-tflm/host');
if (existsSync(join(hostDir, 'CMakeLists.txt'))) {
  const build = join(hostDir, 'build');
  const steps = [
    ['cmake', ['-S', hostDir, '-B', build, '-DCMAKE_BUILD_TYPE=Release']],
    ['cmake', ['--build', build, '-j', '2']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`firmware host build failed: ${cmd} ${args.join(' ')}`);
      process.exit(1);
    }
  }
  const ct = spawnSync('ctest', ['--test-dir', build, '--output-on-failure', '-j', '2'], { encoding: 'utf8' });
  process.stdout.write(ct.stdout);
  process.stderr.write(ct.stderr);
  const m = /(\d+)% tests passed, (\d+) tests failed out of (\d+)/.exec(ct.stdout);
  if (!m) {
    console.error('ctest printed no summary');
    process.exit(1);
  }
  failed += Number(m[2]);
  passed += Number(m[3]) - Number(m[2]);
}

// The Chromium tests exercise the built dashboard and flasher.
const web = spawnSync(process.execPath, [join(root, 'scripts/build-web.mjs')], { stdio: 'inherit' });
if (web.status !== 0) process.exit(1);

const out = join(mkdtempSync(join(tmpdir(), 'sc-vitest-')), 'results.json');
const vt = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
} else {
  failed += 1;
}
if (vt.status !== 0 && failed === 0) failed += 1;

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
