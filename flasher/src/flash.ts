import { ESPLoader, Transport } from 'esptool-js';
import { createMD5 } from 'hash-wasm';
import { resetToApp, type SerialPortLike } from './transport.ts';

export interface FlashImage {
  address: number;
  data: Uint8Array;
  /** Shown in progress and errors (e.g. "bootloader.bin"). */
  name?: string;
}

export interface FlashProgress {
  /** A step: "connecting", "detected ESP32", "erasing"… */
  step?(message: string): void;
  /** Bytes of the current image sent so far. */
  progress?(imageIndex: number, written: number, total: number): void;
  /** esptool-js's own log lines. */
  log?(line: string): void;
}

export interface FlashOptions {
  baudRate?: number;
  /** Baud the ROM bootloader is reached at before the stub switches speed. */
  romBaudRate?: number;
  /** Deflate images on the wire (the default; the ROM/stub inflates). */
  compress?: boolean;
  eraseAll?: boolean;
  /** Give up connecting after this long (esptool-js alone retries for ~30 s). */
  connectTimeoutMs?: number;
  /** Reset into the application afterwards (default true). */
  resetAfter?: boolean;
}

export interface FlashResult {
  chip: string;
  chipFamily: string;
  /** MD5 of each image as the chip computed it over the written flash. */
  md5: string[];
}

/** A failure with the step it happened in and what the user can do about it. */
export class FlashError extends Error {
  constructor(
    message: string,
    readonly kind: 'no-bootloader' | 'port-busy' | 'timeout' | 'verify' | 'chip-mismatch' | 'other',
    readonly hint: string,
  ) {
    super(message);
    this.name = 'FlashError';
  }
}

/** Maps low-level errors to the known failure modes and the advice for each. */
export function classifyFlashError(err: unknown, baudRate: number): FlashError {
  if (err instanceof FlashError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (/InvalidStateError|already open|busy|Failed to open|Cannot lock port|EBUSY|Resource busy/i.test(`${name} ${msg}`)) {
    return new FlashError(
      msg,
      'port-busy',
      'The serial port is in use. Close the Arduino/IDF monitor, other browser tabs or `signalcraft provision`, then retry.',
    );
  }
  if (/Failed to connect|sync|Wrong boot mode|download mode|did not answer/i.test(msg)) {
    return new FlashError(
      msg,
      'no-bootloader',
      'The board did not enter the bootloader. Hold the BOOT button, press and release EN/RST, release BOOT, then retry.',
    );
  }
  if (/MD5|md5/.test(msg)) {
    return new FlashError(
      msg,
      'verify',
      'The written flash does not match the image. Use a shorter or better USB cable and retry at a lower baud rate.',
    );
  }
  if (/timeout|timed out|Timeout/i.test(msg)) {
    const lower = baudRate > 115200 ? Math.max(115200, baudRate / 4) : 115200;
    return new FlashError(msg, 'timeout', `The USB-serial driver timed out. Retry at a lower baud rate (e.g. ${lower}).`);
  }
  return new FlashError(msg, 'other', 'Unplug and replug the board, then retry. If it keeps failing, retry at 115200 baud.');
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Lower-case hex MD5, the way esptool-js compares it with the chip's answer. */
export async function md5Hex(data: Uint8Array): Promise<string> {
  const h = await createMD5();
  h.init();
  h.update(data);
  return h.digest('hex');
}

/**
 * Connects to the ROM bootloader through `port` (not yet opened), identifies the chip, writes
 * every image, verifies each by MD5 and resets into the application. Closes the port at the end.
 * `pickImages` sees the detected chip family first, so a manifest can choose its build.
 */
export async function flashFirmware(
  port: SerialPortLike,
  pickImages: FlashImage[] | ((chipFamily: string) => FlashImage[] | Promise<FlashImage[]>),
  opts: FlashOptions = {},
  progress: FlashProgress = {},
): Promise<FlashResult> {
  const baudRate = opts.baudRate ?? 460800;
  const transport = new Transport(port as unknown as ConstructorParameters<typeof Transport>[0], false);
  const loader = new ESPLoader({
    transport,
    baudrate: baudRate,
    romBaudrate: opts.romBaudRate ?? 115200,
    terminal: {
      clean() {},
      writeLine: (d: string) => progress.log?.(d),
      write: (d: string) => progress.log?.(d),
    },
  });
  const md5Hasher = await createMD5();
  let opened = false;
  try {
    progress.step?.('connecting');
    const chip = await withTimeout(
      loader.main('default_reset'),
      opts.connectTimeoutMs ?? 20_000,
      'Failed to connect: the board did not answer SYNC',
    );
    opened = true;
    const chipFamily = loader.chip.CHIP_NAME;
    progress.step?.(`detected ${chip}`);
    const images = typeof pickImages === 'function' ? await pickImages(chipFamily) : pickImages;
    if (images.length === 0) throw new FlashError('nothing to flash', 'other', 'The manifest lists no parts.');
    const md5: string[] = [];
    progress.step?.('writing');
    await loader.writeFlash({
      fileArray: images.map((i) => ({ address: i.address, data: i.data })),
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: opts.eraseAll ?? false,
      compress: opts.compress ?? true,
      reportProgress: (i, written, total) => progress.progress?.(i, written, total),
      calculateMD5Hash: (image) => {
        md5Hasher.init();
        md5Hasher.update(image);
        const hex = md5Hasher.digest('hex');
        md5.push(hex);
        return hex;
      },
    });
    progress.step?.('verified');
    if (opts.resetAfter !== false) {
      progress.step?.('resetting into the application');
      await resetToApp(port);
    }
    return { chip, chipFamily, md5 };
  } catch (err) {
    throw classifyFlashError(err, baudRate);
  } finally {
    try {
      await transport.disconnect();
    } catch {
      // Port never opened (e.g. busy) or already gone.
      if (opened) progress.log?.('serial port was already closed');
    }
  }
}
