/**
 * A `serialport` binding whose ports are VirtualEsp32 devices, so the CLI's real NodeSerialPort
 * path (SerialPortStream → binding) is exercised end to end in tests.
 */
import type { SerialPortStream } from '@serialport/stream';
import type { VirtualEsp32 } from './virtual-esp32.ts';

type BindingInterface = ConstructorParameters<typeof SerialPortStream>[0]['binding'];
// The option shapes of @serialport/bindings-interface, which ships no ESM type declarations.
interface OpenOptions {
  path: string;
  baudRate: number;
  [k: string]: unknown;
}
type UpdateOptions = { baudRate: number };
type SetOptions = { dtr?: boolean; rts?: boolean };
type PortStatus = { cts: boolean; dsr: boolean; dcd: boolean };

class VirtualBindingPort {
  isOpen = true;
  private queue: Buffer[] = [];
  private pending: (() => void) | null = null;
  private baud: number;

  constructor(
    readonly openOptions: OpenOptions,
    private readonly device: VirtualEsp32,
  ) {
    this.baud = openOptions.baudRate;
    device.tx = (bytes) => {
      this.queue.push(Buffer.from(bytes));
      this.pending?.();
    };
  }

  async close() {
    this.isOpen = false;
    this.pending?.();
  }

  async read(buffer: Buffer, offset: number, length: number) {
    while (this.queue.length === 0) {
      if (!this.isOpen) throw Object.assign(new Error('port closed'), { canceled: true });
      await new Promise<void>((r) => {
        this.pending = r;
      });
      this.pending = null;
    }
    const head = this.queue[0];
    const n = Math.min(length, head.length);
    head.copy(buffer, offset, 0, n);
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    return { buffer, bytesRead: n };
  }

  async write(buffer: Buffer) {
    if (!this.isOpen) throw Object.assign(new Error('port closed'), { canceled: true });
    const copy = new Uint8Array(buffer);
    const baud = this.baud;
    setTimeout(() => this.device.receive(copy, baud), 0);
  }

  async update(options: UpdateOptions) {
    this.baud = options.baudRate;
  }

  async set(options: SetOptions) {
    this.device.setSignals({ dataTerminalReady: options.dtr, requestToSend: options.rts });
  }

  async get(): Promise<PortStatus> {
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate() {
    return { baudRate: this.baud };
  }

  async flush() {
    this.queue = [];
  }

  async drain() {}
}

export function virtualBinding(devices: Record<string, VirtualEsp32>): BindingInterface {
  return <BindingInterface>{
    async list() {
      return Object.keys(devices).map((path) => ({
        path,
        manufacturer: 'Silicon Labs',
        serialNumber: undefined,
        pnpId: undefined,
        locationId: undefined,
        productId: 'ea60',
        vendorId: '10c4',
      }));
    },
    async open(options: OpenOptions) {
      const device = devices[options.path];
      if (!device) throw new Error(`Error: No such file or directory, cannot open ${options.path}`);
      return new VirtualBindingPort(
        {
          dataBits: 8,
          lock: true,
          stopBits: 1,
          parity: 'none',
          rtscts: false,
          xon: false,
          xoff: false,
          xany: false,
          hupcl: true,
          ...options,
        },
        device,
      );
    },
  };
}
