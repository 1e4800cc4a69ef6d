/**
 * A Web Serial `SerialPort` whose other end is a VirtualEsp32. Used by the Node tests directly and
 * injected into Chromium as `navigator.serial` (browser-harness.ts). No Node APIs.
 */
import type { SerialPortLike, SerialSignals } from '../src/transport.ts';
import type { VirtualEsp32 } from './virtual-esp32.ts';

export class FakeSerialPort implements SerialPortLike {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  baudRate = 0;
  /** Set to make open() fail the way a port held by another program does. */
  busy = false;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;

  constructor(readonly device: VirtualEsp32) {
    device.tx = (bytes) => {
      try {
        this.controller?.enqueue(bytes.slice());
      } catch {
        // Port closed while the device was talking; a real UART drops those bytes too.
      }
    };
  }

  getInfo() {
    return { usbVendorId: 0x10c4, usbProductId: 0xea60 }; // CP2102
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (this.busy) throw new DOMException('Failed to open serial port.', 'NetworkError');
    if (this.readable) throw new DOMException('The port is already open.', 'InvalidStateError');
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) throw new TypeError('baudRate must be a positive integer');
    this.baudRate = options.baudRate;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        // Deliver asynchronously, as a UART would.
        const copy = chunk.slice();
        const baud = this.baudRate;
        setTimeout(() => this.device.receive(copy, baud), 0);
      },
    });
  }

  async setSignals(signals: SerialSignals): Promise<void> {
    if (!this.readable) throw new DOMException('The port is closed.', 'InvalidStateError');
    this.device.setSignals(signals);
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
  }

  async close(): Promise<void> {
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
    this.controller = null;
    this.readable = null;
    this.writable = null;
  }
}
