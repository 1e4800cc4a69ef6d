/**
 * ESP Web Tools–style firmware manifests, generated from ESP-IDF's `build/flasher_args.json` so the
 * part offsets come from the build that produced the binaries, never from constants here.
 */

export type ChipFamily = 'ESP32' | 'ESP32-S2' | 'ESP32-S3' | 'ESP32-C3' | 'ESP32-C6' | 'ESP8266';

export interface ManifestPart {
  path: string;
  offset: number;
}

export interface ManifestBuild {
  chipFamily: ChipFamily;
  parts: ManifestPart[];
  /** Extension (ignored by ESP Web Tools): the flash settings the build was made for. */
  flashSettings?: { flashMode: string; flashFreq: string; flashSize: string };
}

export interface Manifest {
  name: string;
  version: string;
  new_install_prompt_erase?: boolean;
  builds: ManifestBuild[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const CHIPS: Record<string, ChipFamily> = {
  esp32: 'ESP32',
  esp32s2: 'ESP32-S2',
  esp32s3: 'ESP32-S3',
  esp32c3: 'ESP32-C3',
  esp32c6: 'ESP32-C6',
  esp8266: 'ESP8266',
};

function parseOffset(raw: string, where: string): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(raw.trim())) throw new ManifestError(`${where}: offset "${raw}" is not a number`);
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < 0 || n % 0x1000 !== 0) {
    throw new ManifestError(`${where}: offset ${raw} is not a multiple of the 4 KiB flash sector`);
  }
  return n;
}

/**
 * Turns the parsed contents of a `flasher_args.json` into a manifest. `pathPrefix` is prepended to
 * every part path (the URL folder the binaries are served from, relative to the manifest).
 */
export function manifestFromFlasherArgs(
  args: unknown,
  opts: { name: string; version: string; pathPrefix?: string; source?: string },
): Manifest {
  const src = opts.source ?? 'flasher_args.json';
  if (typeof args !== 'object' || args === null) throw new ManifestError(`${src}: expected a JSON object`);
  const a = args as Record<string, unknown>;
  const files = a.flash_files;
  if (typeof files !== 'object' || files === null || Object.keys(files).length === 0) {
    throw new ManifestError(`${src}: "flash_files" is missing or empty (is this an ESP-IDF build folder?)`);
  }
  const extra = (a.extra_esptool_args ?? {}) as Record<string, unknown>;
  const chipRaw = String(extra.chip ?? '').toLowerCase();
  const chipFamily = CHIPS[chipRaw];
  if (!chipFamily) {
    throw new ManifestError(`${src}: extra_esptool_args.chip is "${chipRaw}"; expected one of ${Object.keys(CHIPS).join(', ')}`);
  }
  const parts: ManifestPart[] = Object.entries(files as Record<string, unknown>).map(([off, file]) => {
    if (typeof file !== 'string' || !file) throw new ManifestError(`${src}: flash_files["${off}"] is not a file name`);
    if (file.includes('..')) throw new ManifestError(`${src}: flash_files["${off}"] escapes the build folder`);
    return { path: `${opts.pathPrefix ?? ''}${file}`, offset: parseOffset(off, `${src} flash_files`) };
  });
  parts.sort((x, y) => x.offset - y.offset);
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].offset === parts[i - 1].offset)
      throw new ManifestError(`${src}: two parts at offset 0x${parts[i].offset.toString(16)}`);
  }
  const fs = (a.flash_settings ?? {}) as Record<string, unknown>;
  const build: ManifestBuild = { chipFamily, parts };
  if (fs.flash_mode && fs.flash_freq && fs.flash_size) {
    build.flashSettings = {
      flashMode: String(fs.flash_mode),
      flashFreq: String(fs.flash_freq),
      flashSize: String(fs.flash_size),
    };
  }
  return { name: opts.name, version: opts.version, new_install_prompt_erase: true, builds: [build] };
}

/** Validates a manifest read from disk or the network (it may be hand-edited or stale). */
export function parseManifest(json: unknown, source = 'manifest.json'): Manifest {
  if (typeof json !== 'object' || json === null) throw new ManifestError(`${source}: expected a JSON object`);
  const m = json as Partial<Manifest>;
  if (typeof m.name !== 'string' || !m.name) throw new ManifestError(`${source}: "name" is missing`);
  if (typeof m.version !== 'string') throw new ManifestError(`${source}: "version" is missing`);
  if (!Array.isArray(m.builds) || m.builds.length === 0) throw new ManifestError(`${source}: "builds" is empty`);
  for (const [i, b] of m.builds.entries()) {
    if (!Object.values(CHIPS).includes(b?.chipFamily))
      throw new ManifestError(`${source}: builds[${i}].chipFamily "${b?.chipFamily}" is unknown`);
    if (!Array.isArray(b.parts) || b.parts.length === 0) throw new ManifestError(`${source}: builds[${i}].parts is empty`);
    for (const [j, p] of b.parts.entries()) {
      if (typeof p?.path !== 'string' || !p.path) throw new ManifestError(`${source}: builds[${i}].parts[${j}].path is missing`);
      if (!Number.isSafeInteger(p.offset) || p.offset < 0)
        throw new ManifestError(`${source}: builds[${i}].parts[${j}].offset must be a non-negative integer`);
    }
  }
  return m as Manifest;
}

/** Picks the build for the chip family esptool-js detected (`loader.chip.CHIP_NAME`, e.g. "ESP32-S3"). */
export function buildForChip(manifest: Manifest, chipFamily: string): ManifestBuild {
  const hit = manifest.builds.find((b) => b.chipFamily === chipFamily.toUpperCase());
  if (!hit) {
    throw new ManifestError(
      `this firmware has builds for ${manifest.builds.map((b) => b.chipFamily).join(', ')} but the board is an ${chipFamily}`,
    );
  }
  return hit;
}
