/**
 * `serialport` 13 shaped as a Web Serial `SerialPort`, so the CLI drives esptool-js and Improv with
 * the same code the browser runs.
 */
import { SerialPort } from 'serialport';
import type { SerialPortLike, SerialSignals } from './transport.ts';

/** The part of serialport's stream this adapter uses (SerialPort, SerialPortStream, SerialPortMock). */
export interface NodePortStream {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  set(flags: { dtr?: boolean; rts?: boolean; brk?: boolean }, cb: (err: Error | null) => void): void;
  update(opts: { baudRate: number }, cb: (err: Error | null) => void): void;
  on(event: 'data', fn: (b: Buffer) => void): unknown;
  on(event: 'close' | 'error', fn: (e?: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export type NodePortFactory = (opts: { path: string; baudRate: number }) => NodePortStream;

const defaultFactory: NodePortFactory = ({ path, baudRate }) =>
  new SerialPort({ path, baudRate, autoOpen: false }) as unknown as NodePortStream;

const call = (fn: (cb: (err: Error | null | undefined) => void) => unknown) =>
  new Promise<void>((resolve, reject) => {
    fn((err) => (err ? reject(err) : resolve()));
  });

export class NodeSerialPort implements SerialPortLike {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private stream: NodePortStream | null = null;
  // serialport's set() resets every flag it is not given, so the adapter keeps both lines' state.
  private dtr = true;
  private rts = true;

  constructor(
    readonly path: string,
    private readonly factory: NodePortFactory = defaultFactory,
  ) {}

  getInfo() {
    return {};
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (this.stream) throw new DOMException(`${this.path} is already open`, 'InvalidStateError');
    const stream = this.factory({ path: this.path, baudRate: options.baudRate });
    try {
      await call((cb) => stream.open(cb));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/lock|busy/i.test(msg)) throw new Error(`Failed to open ${this.path}: port busy (${msg})`);
      if (/ENOENT|No such file/i.test(msg))
        throw new Error(`Failed to open ${this.path}: no such port (is the board plugged in?)`);
      throw new Error(`Failed to open ${this.path}: ${msg}`);
    }
    this.stream = stream;
    this.readable = new ReadableStream<Uint8Array>({
      start(c) {
        stream.on('data', (b) => c.enqueue(new Uint8Array(b)));
        stream.on('close', () => {
          try {
            c.close();
          } catch {
            // already closed by cancel()
          }
        });
        stream.on('error', (e) => c.error(e));
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => call((cb) => stream.write(Buffer.from(chunk), cb)).then(() => call((cb) => stream.drain(cb))),
    });
  }

  async setSignals(s: SerialSignals): Promise<void> {
    if (!this.stream) throw new DOMException(`${this.path} is not open`, 'InvalidStateError');
    if (s.dataTerminalReady !== undefined) this.dtr = s.dataTerminalReady;
    if (s.requestToSend !== undefined) this.rts = s.requestToSend;
    const stream = this.stream;
    try {
      await call((cb) => stream.set({ dtr: this.dtr, rts: this.rts, brk: s.break ?? false }, cb));
    } catch (err) {
      // A pty (the firmware's host build, socat) has no modem lines; nothing to reset there.
      if (!/ioctl|ENOTTY|EINVAL|Inappropriate/i.test(String(err))) throw err;
    }
  }

  async setBaudRate(baudRate: number): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new DOMException(`${this.path} is not open`, 'InvalidStateError');
    await call((cb) => stream.update({ baudRate }, cb));
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.readable = null;
    this.writable = null;
    if (stream?.isOpen) await call((cb) => stream.close(cb));
    stream?.removeAllListeners();
  }
}

/** Serial ports the OS reports, for "which port?" hints. Empty when listing is not possible. */
export async function listSerialPorts(): Promise<{ path: string; manufacturer?: string }[]> {
  try {
    return (await SerialPort.list()).map((p) => ({ path: p.path, manufacturer: p.manufacturer }));
  } catch {
    return [];
  }
}

/** One line naming the ports found, or what to check when there are none. */
export async function portHint(): Promise<string> {
  const ports = await listSerialPorts();
  if (ports.length === 0)
    return 'no serial ports found: is the board plugged in with a data cable, and is its USB driver (CP210x, CH34x) installed?';
  return `ports found: ${ports.map((p) => (p.manufacturer ? `${p.path} (${p.manufacturer})` : p.path)).join(', ')}`;
}
