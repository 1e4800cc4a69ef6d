/**
 * The host build of the firmware (`signalcraft-device`): the simulator runs the same decision code
 * the ESP32 runs. Builds it with CMake when it is missing or older than its sources.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST_DIR = fileURLToPath(new URL('../firmware/esp32-tflm/host', import.meta.url));
export const BUILD_DIR = join(HOST_DIR, 'build');
export const DEVICE_BIN = join(BUILD_DIR, 'signalcraft-device');
/** The model the simulated devices run: the shipped default export. */
export const MODEL_DIR = fileURLToPath(new URL('../models/default', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'build' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
      for (const line of b.toString().split('\n')) if (/\[\s*\d+%\]/.test(line)) log(line.trim());
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${cmd} could not start (${err.message}); install cmake and g++`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed:\n${tail}`))));
  });
}

/** Returns the path of an up-to-date `signalcraft-device`, building it if needed. */
export async function ensureDeviceBinary(log: (line: string) => void = () => {}): Promise<string> {
  const fwDir = join(HOST_DIR, '..');
  const fresh =
    existsSync(DEVICE_BIN) &&
    statSync(DEVICE_BIN).mtimeMs >=
      Math.max(
        newestMtime(join(fwDir, 'core')),
        newestMtime(join(HOST_DIR, 'src')),
        existsSync(MODEL_DIR) ? newestMtime(MODEL_DIR) : 0,
      );
  if (fresh) return DEVICE_BIN;
  log('building the host firmware (signalcraft-device) with CMake…');
  const model = existsSync(join(MODEL_DIR, 'card.json')) ? [`-DSC_MODEL_DIR=${MODEL_DIR}`] : [];
  await run('cmake', ['-S', HOST_DIR, '-B', BUILD_DIR, '-DCMAKE_BUILD_TYPE=Release', ...model], log);
  await run('cmake', ['--build', BUILD_DIR, '--target', 'signalcraft-device', '-j', '2'], log);
  return DEVICE_BIN;
}
