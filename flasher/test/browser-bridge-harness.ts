/**
 * Injected into Chromium: a Web Serial port whose bytes are relayed by the test (Node) to a real
 * serial device — here the host end of a pty pair whose other end the firmware's host build owns.
 * Writes go out through `window.__bridgeWrite` (page.exposeFunction); the test pushes received
 * bytes in with `window.__bridgePush`.
 */
import type { SerialPortLike } from '../src/transport.ts';

declare global {
  interface Window {
    __bridgeWrite(bytes: number[]): Promise<void>;
    __bridgePush(bytes: number[]): void;
  }
}

class BridgePort implements SerialPortLike {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;

  getInfo() {
    return {};
  }

  async open(): Promise<void> {
    if (this.readable) throw new DOMException('The port is already open.', 'InvalidStateError');
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
    });
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => window.__bridgeWrite(Array.from(chunk)) });
  }

  push(bytes: number[]): void {
    try {
      this.controller?.enqueue(Uint8Array.from(bytes));
    } catch {
      // closed
    }
  }

  async setSignals(): Promise<void> {}

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

const port = new BridgePort();
window.__bridgePush = (bytes) => port.push(bytes);
Object.defineProperty(Navigator.prototype, 'serial', {
  configurable: true,
  get: () => ({ requestPort: async () => port, getPorts: async () => [port] }),
});
