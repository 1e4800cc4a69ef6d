/**
 * Release packaging: turns an ESP-IDF build folder into what the flasher serves — the binaries
 * named in `flasher_args.json` plus an ESP Web Tools–style `manifest.json` whose offsets come from
 * that same file (never hard-coded), and a `SHA256SUMS` for the release page.
 *
 *   npx tsx scripts/package-firmware.ts --build firmware/esp32-tflm/build --out firmware/esp32-tflm/release [--version 1.2.3]
 *
 * The cloud serves the result under /firmware/ (`/firmware/manifest.json`).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { manifestFromFlasherArgs } from '../flasher/src/manifest.ts';

export interface PackagedRelease {
  readonly manifestPath: string;
  readonly files: { path: string; offset: number; bytes: number; sha256: string }[];
}

export function packageFirmware(opts: { buildDir: string; outDir: string; name?: string; version?: string }): PackagedRelease {
  const argsPath = join(opts.buildDir, 'flasher_args.json');
  if (!existsSync(argsPath)) throw new Error(`${argsPath} not found: run "idf.py build" in firmware/esp32-tflm first`);
  let args: unknown;
  try {
    args = JSON.parse(readFileSync(argsPath, 'utf8'));
  } catch (err) {
    throw new Error(`${argsPath} is not valid JSON (${(err as Error).message})`);
  }
  const version = opts.version ?? readProjectVersion(opts.buildDir);
  const manifest = manifestFromFlasherArgs(args, { name: opts.name ?? 'Signalcraft listener', version, source: argsPath });
  mkdirSync(opts.outDir, { recursive: true });
  const files: PackagedRelease['files'] = [];
  for (const part of manifest.builds[0].parts) {
    const src = join(opts.buildDir, part.path);
    if (!existsSync(src)) throw new Error(`${src} (named in flasher_args.json) is missing; is the build complete?`);
    // Flatten into the release folder: the manifest's paths are relative to where it is served.
    const name = basename(part.path);
    copyFileSync(src, join(opts.outDir, name));
    const bytes = readFileSync(src);
    files.push({
      path: name,
      offset: part.offset,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    part.path = name;
  }
  const manifestPath = join(opts.outDir, 'manifest.json');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(opts.outDir, 'SHA256SUMS'), files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  return { manifestPath, files };
}

/** ESP-IDF writes the app version into build/project_description.json. */
function readProjectVersion(buildDir: string): string {
  try {
    const d = JSON.parse(readFileSync(join(buildDir, 'project_description.json'), 'utf8')) as { project_version?: string };
    if (d.project_version) return d.project_version;
  } catch {
    /* not there: fall back */
  }
  return '0.0.0-dev';
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    const { values } = parseArgs({
      options: { build: { type: 'string' }, out: { type: 'string' }, version: { type: 'string' }, name: { type: 'string' } },
    });
    if (!values.build || !values.out)
      throw new Error('usage: package-firmware --build IDF_BUILD_DIR --out RELEASE_DIR [--version V]');
    const r = packageFirmware({ buildDir: values.build, outDir: values.out, version: values.version, name: values.name });
    for (const f of r.files) process.stdout.write(`0x${f.offset.toString(16).padStart(6, '0')}  ${f.path}  ${f.bytes} bytes\n`);
    process.stdout.write(`wrote ${r.manifestPath} (${dirname(r.manifestPath)})\n`);
  } catch (err) {
    process.stderr.write(`package-firmware: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
