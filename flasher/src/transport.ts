/**
 * The one transport shape shared by the browser and the CLI: a Web Serial `SerialPort`. The browser
 * passes `navigator.serial`'s port as is; Node wraps `serialport` in `NodeSerialPort` (node-serial.ts);
 * tests pass a fake port wired to a virtual ESP32. esptool-js's `Transport` takes the same shape.
 */
export interface SerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

export interface SerialPortLike {
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  open(options: { baudRate: number; [k: string]: unknown }): Promise<void>;
  close(): Promise<void>;
  setSignals(signals: SerialSignals): Promise<void>;
  getInfo(): { usbVendorId?: number; usbProductId?: number };
  /** Optional in-place baud change (esptool-js reopens the port when absent). */
  setBaudRate?(baudRate: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pulses EN through the usual DTR/RTS auto-reset circuit with IO0 high, so the chip boots the
 * application. (esptool-js 0.7's HardReset only releases RTS, which never resets a board whose RTS
 * was already released.)
 */
export async function resetToApp(port: SerialPortLike): Promise<void> {
  await port.setSignals({ dataTerminalReady: false, requestToSend: true });
  await sleep(100);
  await port.setSignals({ dataTerminalReady: false, requestToSend: false });
}

/**
 * An opened port with one read loop that fans bytes out to listeners: the Improv client and the
 * serial monitor both sit on it.
 */
export class SerialLink {
  private listeners = new Set<(bytes: Uint8Array) => void>();
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly port: SerialPortLike) {}

  /** Opens the port (unless `alreadyOpen`) and starts reading. */
  async open(baudRate: number, alreadyOpen = false): Promise<void> {
    if (!alreadyOpen) await this.port.open({ baudRate });
    if (!this.port.readable) throw new Error('serial port has no readable stream after open');
    this.reader = this.port.readable.getReader();
    const reader = this.reader;
    this.loop = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || this.closed) break;
          if (value?.length) for (const l of this.listeners) l(value);
        }
      } catch (err) {
        if (!this.closed) throw err;
      } finally {
        reader.releaseLock();
      }
    })().catch(() => {});
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes in call order; a reply can arrive before the previous write has drained. */
  write(bytes: Uint8Array): Promise<void> {
    const run = async () => {
      if (!this.port.writable) throw new Error('serial port is not open');
      const w = this.port.writable.getWriter();
      try {
        await w.write(bytes);
      } finally {
        w.releaseLock();
      }
    };
    const next = this.writing.then(run, run);
    this.writing = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.reader?.cancel();
    } catch {
      // already cancelled
    }
    await this.loop;
    await this.port.close();
  }
}
