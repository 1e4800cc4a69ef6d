/** Loads the images a manifest or an ESP-IDF build folder describes, from disk (CLI side). */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FlashImage } from './flash.ts';
import { buildForChip, type Manifest, ManifestError, manifestFromFlasherArgs, parseManifest } from './manifest.ts';

export interface FirmwareSource {
  manifest: Manifest;
  /** Folder the part paths are relative to. */
  baseDir: string;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ManifestError(`cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${path} is not valid JSON (${(err as Error).message})`);
  }
}

/** An ESP-IDF build folder (with flasher_args.json) or a manifest.json file. */
export async function openFirmware(opts: { build?: string; manifest?: string }): Promise<FirmwareSource> {
  if (opts.build) {
    const dir = resolve(opts.build);
    const args = await readJson(join(dir, 'flasher_args.json'));
    return {
      manifest: manifestFromFlasherArgs(args, {
        name: 'Signalcraft',
        version: 'local build',
        source: join(dir, 'flasher_args.json'),
      }),
      baseDir: dir,
    };
  }
  if (opts.manifest) {
    const path = resolve(opts.manifest);
    return { manifest: parseManifest(await readJson(path), path), baseDir: dirname(path) };
  }
  throw new ManifestError('say what to flash: --build <esp-idf build folder> or --manifest <manifest.json>');
}

export async function loadImages(src: FirmwareSource, chipFamily: string): Promise<FlashImage[]> {
  const build = buildForChip(src.manifest, chipFamily);
  return Promise.all(
    build.parts.map(async (p) => {
      const path = resolve(src.baseDir, p.path);
      if (!path.startsWith(src.baseDir)) throw new ManifestError(`part ${p.path} is outside ${src.baseDir}`);
      try {
        return { address: p.offset, data: new Uint8Array(await readFile(path)), name: p.path };
      } catch {
        throw new ManifestError(`part ${p.path} (offset 0x${p.offset.toString(16)}) not found at ${path}`);
      }
    }),
  );
}
