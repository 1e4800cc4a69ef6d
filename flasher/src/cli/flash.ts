import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../../cli/errors.ts';
import { createProgress, type Progress } from '../../../cli/progress.ts';
import { loadImages, openFirmware } from '../firmware-files.ts';
import { FlashError, flashFirmware } from '../flash.ts';
import { ManifestError } from '../manifest.ts';
import { type NodePortFactory, NodeSerialPort, portHint } from '../node-serial.ts';

export interface FlashCliOptions {
  port?: string;
  build?: string;
  manifest?: string;
  baud?: unknown;
  compress?: boolean;
  eraseAll?: boolean;
  writeManifest?: boolean;
  /** With writeManifest: folder to publish manifest.json and the parts into (default: the build folder). */
  out?: string;
}

/**
 * `signalcraft flash` as a function: tests pass a port factory wired to a virtual ESP32; the
 * command passes none and gets the real serial port.
 */
export async function runFlash(opts: FlashCliOptions, factory?: NodePortFactory, progress?: Progress) {
  const baudRate = numberFlag('baud', opts.baud ?? 460800, { integer: true, min: 9600, max: 3_000_000 });
  let src: Awaited<ReturnType<typeof openFirmware>>;
  try {
    src = await openFirmware(opts);
  } catch (err) {
    if (err instanceof ManifestError) throw new CliError(err.message, 2);
    throw err;
  }
  if (opts.writeManifest) {
    if (!opts.build) throw new CliError('--write-manifest needs --build <esp-idf build folder>', 2);
    const outDir = resolve(opts.out ?? src.baseDir);
    if (outDir !== src.baseDir) {
      // Publish: the parts keep their relative paths next to the manifest (e.g. the folder the
      // cloud serves at /firmware/).
      for (const part of src.manifest.builds.flatMap((b) => b.parts)) {
        const to = join(outDir, part.path);
        await mkdir(dirname(to), { recursive: true });
        await copyFile(join(src.baseDir, part.path), to).catch(() => {
          throw new CliError(`part ${part.path} is listed in flasher_args.json but missing from ${src.baseDir}`);
        });
      }
    }
    await mkdir(outDir, { recursive: true });
    const out = join(outDir, 'manifest.json');
    await writeFile(out, `${JSON.stringify(src.manifest, null, 2)}\n`);
    return { manifestPath: out };
  }
  if (!opts.port)
    throw new CliError(`--port is required (e.g. /dev/ttyUSB0, /dev/cu.usbserial-0001 or COM3); ${await portHint()}`, 2);
  const p = progress ?? createProgress('flash');
  try {
    const result = await flashFirmware(
      new NodeSerialPort(opts.port, factory),
      (chip) => loadImages(src, chip),
      { baudRate, compress: opts.compress !== false, eraseAll: Boolean(opts.eraseAll) },
      {
        step: (s) => p.log(s),
        progress: (i, written, total) => p.update(written, total, `part ${i + 1}`),
      },
    );
    p.done(`${result.chip}; MD5 verified`);
    return { result };
  } catch (err) {
    if (err instanceof FlashError) throw new CliError(`${err.message.split('\n')[0]}. ${err.hint}`);
    if (err instanceof ManifestError) throw new CliError(err.message, 2);
    throw err;
  }
}

export default defineCommand({
  meta: { name: 'flash', description: 'flash a firmware build to an ESP32 over a serial port' },
  args: {
    port: { type: 'string', description: 'serial port of the board (e.g. /dev/ttyUSB0)' },
    build: { type: 'string', description: 'ESP-IDF build folder containing flasher_args.json' },
    manifest: { type: 'string', description: 'ESP Web Tools manifest.json (parts relative to it)' },
    baud: {
      type: 'string',
      description: 'baud rate once the flasher stub runs (default 460800; lower it if the driver times out)',
    },
    compress: { type: 'boolean', default: true, description: 'deflate images on the wire (--no-compress to disable)' },
    'erase-all': { type: 'boolean', default: false, description: 'erase the whole flash first' },
    'write-manifest': {
      type: 'boolean',
      default: false,
      description: 'write manifest.json for the web flasher into the --build folder (or --out) and exit',
    },
    out: {
      type: 'string',
      description:
        'with --write-manifest: publish manifest.json and the images here (e.g. firmware/esp32-tflm/release, served at /firmware/)',
    },
  },
  async run({ args }) {
    const r = await runFlash({
      port: args.port,
      build: args.build,
      manifest: args.manifest,
      baud: args.baud,
      compress: args.compress,
      eraseAll: args['erase-all'],
      writeManifest: args['write-manifest'],
      out: args.out,
    });
    if ('manifestPath' in r) process.stdout.write(`wrote ${r.manifestPath}\n`);
  },
});
