/**
 * A virtual ESP32 for tests: the ROM serial bootloader (SLIP framing, SYNC, READ_REG/WRITE_REG with
 * the chip-detect magic and the SPI flash-ID dance, SPI_ATTACH, SPI_SET_PARAMS, MEM_* to "upload"
 * the stub which then answers OHAI, FLASH_BEGIN/DATA/END, FLASH_DEFL_*, SPI_FLASH_MD5,
 * CHANGE_BAUDRATE) over 4 MiB of flash, behind the DTR/RTS auto-reset circuit; when reset with
 * IO0 high it boots its "application", an Improv device simulator. No Node APIs: the same file is
 * bundled into Chromium.
 */
import { createMD5 } from 'hash-wasm';
import { Inflate } from 'pako';
import { ImprovDeviceSim } from './improv-device.ts';

const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
} as const;

const CHIP_DETECT_MAGIC_REG = 0x40001000;
const ESP32_MAGIC = 0x00f01d83;
const SPI_BASE = 0x3ff42000;
const SPI_CMD_REG = SPI_BASE;
const SPI_W0_REG = SPI_BASE + 0x80;
const SPI_CMD_USR = 1 << 18;
const EFUSE_BASE = 0x3ff5a000;
const UART_CLKDIV_REG = 0x3ff40014;

export interface VirtualEsp32Options {
  flashSize?: number;
  /** Whether DTR/RTS reach EN/IO0 (boards without the circuit need the BOOT button). */
  autoReset?: boolean;
  /** JEDEC id reported by the flash (0xEF4016 = 4 MiB Winbond). */
  flashId?: number;
  /**
   * Above this baud rate the link corrupts every byte the chip sends (a USB-serial driver or
   * cable that cannot keep up), the way "driver timeouts" look to the host.
   */
  maxReliableBaud?: number;
  /** The application's Improv behaviour once booted. */
  wifiNetworks?: { ssid: string; password: string; rssi: number }[];
}

type Mode = 'off' | 'rom' | 'stub' | 'app';

export class VirtualEsp32 {
  readonly flash: Uint8Array;
  mode: Mode = 'app';
  baud = 115200;
  /** Every command opcode received, in order (tests assert on the protocol path taken). */
  readonly commands: number[] = [];
  /** Host → device bytes are delivered here; device → host bytes go to `tx`. */
  tx: (bytes: Uint8Array) => void = () => {};
  readonly app: ImprovDeviceSim;

  private readonly regs = new Map<number, number>();
  private slipBuf: number[] = [];
  private inSlip = false;
  private escape = false;
  private dtr = false;
  private rts = false;
  private en = true;
  private write: { offset: number; size: number; blockSize: number; pos: number; inflate?: Inflate } | null = null;
  private readonly opts: Required<VirtualEsp32Options>;

  constructor(opts: VirtualEsp32Options = {}) {
    this.opts = {
      flashSize: 4 * 1024 * 1024,
      autoReset: true,
      flashId: 0xef4016,
      wifiNetworks: [{ ssid: 'ColdRoom-2G', password: 'frost-1234', rssi: -48 }],
      maxReliableBaud: Number.POSITIVE_INFINITY,
      ...opts,
    };
    this.flash = new Uint8Array(this.opts.flashSize).fill(0xff);
    this.regs.set(CHIP_DETECT_MAGIC_REG, ESP32_MAGIC);
    this.regs.set(EFUSE_BASE + 4 * 1, 0x5c3a12b4); // MAC low word
    this.regs.set(EFUSE_BASE + 4 * 2, 0x00002462); // MAC high bytes (Espressif OUI 24:62)
    this.regs.set(EFUSE_BASE + 4 * 3, 0x00000000);
    this.regs.set(UART_CLKDIV_REG, 347); // 40 MHz crystal at 115200 baud
    this.app = new ImprovDeviceSim({ networks: this.opts.wifiNetworks, send: (b) => this.tx(b) });
  }

  /** DTR/RTS through the two-transistor auto-reset circuit: EN = !(RTS ∧ ¬DTR), IO0 = !(DTR ∧ ¬RTS). */
  setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean }): void {
    if (s.dataTerminalReady !== undefined) this.dtr = s.dataTerminalReady;
    if (s.requestToSend !== undefined) this.rts = s.requestToSend;
    if (!this.opts.autoReset) return;
    const en = !(this.rts && !this.dtr);
    if (!en) this.mode = 'off';
    if (en && !this.en) {
      // The strapping pin is taken as it is when EN rises (esptool's reset sets both lines in one
      // call, so this does not depend on timer timing); the ROM's boot message follows shortly.
      const io0High = !(this.dtr && !this.rts);
      setTimeout(() => this.boot(io0High), 5);
    }
    this.en = en;
  }

  /** What pressing BOOT+EN does on a board without the auto-reset circuit. */
  bootIntoDownloadMode(): void {
    this.boot(false);
  }

  private boot(io0High: boolean): void {
    this.baud = 115200;
    this.write = null;
    const enc = new TextEncoder();
    if (io0High) {
      this.mode = 'app';
      this.tx(enc.encode('ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n'));
      if (this.flash[0x10000] === 0xe9) this.app.boot();
      else this.tx(enc.encode('invalid header: 0xffffffff\r\n'));
    } else {
      this.mode = 'rom';
      this.tx(
        enc.encode(
          'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n',
        ),
      );
    }
  }

  /** Bytes from the host at the host's baud rate; a mismatch garbles them as a real UART would. */
  receive(bytes: Uint8Array, hostBaud: number): void {
    if (this.mode === 'off') return;
    if (hostBaud !== this.baud) bytes = bytes.map((b) => (b * 31 + 7) & 0xff);
    if (this.mode === 'app') {
      this.app.receive(bytes);
      return;
    }
    for (const b of bytes) this.slipByte(b);
  }

  private slipByte(b: number): void {
    if (b === 0xc0) {
      if (this.inSlip && this.slipBuf.length > 0) {
        const pkt = Uint8Array.from(this.slipBuf);
        this.slipBuf = [];
        void this.command(pkt);
      }
      this.inSlip = true;
      this.slipBuf = [];
      return;
    }
    if (!this.inSlip) return;
    if (this.escape) {
      this.slipBuf.push(b === 0xdc ? 0xc0 : b === 0xdd ? 0xdb : b);
      this.escape = false;
    } else if (b === 0xdb) this.escape = true;
    else this.slipBuf.push(b);
  }

  private sendSlip(payload: Uint8Array): void {
    const out: number[] = [0xc0];
    for (const b of payload) {
      if (b === 0xc0) out.push(0xdb, 0xdc);
      else if (b === 0xdb) out.push(0xdb, 0xdd);
      else out.push(b);
    }
    out.push(0xc0);
    if (this.baud > this.opts.maxReliableBaud) {
      this.tx(Uint8Array.from(out, (b) => (b * 7 + 3) & 0x7f));
      return;
    }
    this.tx(Uint8Array.from(out));
  }

  private respond(op: number, value: number, data: Uint8Array = new Uint8Array(0), status = 0, error = 0): void {
    // The ROM appends 4 status bytes, the stub 2.
    const statusLen = this.mode === 'stub' ? 2 : 4;
    const body = new Uint8Array(data.length + statusLen);
    body.set(data);
    body[data.length] = status;
    body[data.length + 1] = error;
    const pkt = new Uint8Array(8 + body.length);
    const dv = new DataView(pkt.buffer);
    pkt[0] = 0x01;
    pkt[1] = op;
    dv.setUint16(2, body.length, true);
    dv.setUint32(4, value >>> 0, true);
    pkt.set(body, 8);
    this.sendSlip(pkt);
  }

  private fail(op: number, error: number): void {
    this.respond(op, 0, new Uint8Array(0), 1, error);
  }

  private async command(pkt: Uint8Array): Promise<void> {
    if (pkt.length < 8 || pkt[0] !== 0x00) return;
    const op = pkt[1];
    const dv = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
    const len = dv.getUint16(2, true);
    const chk = dv.getUint32(4, true);
    const data = pkt.subarray(8);
    if (data.length !== len) return this.fail(op, 0x06);
    const u32 = (i: number) => dv.getUint32(8 + i * 4, true);
    this.commands.push(op);
    switch (op) {
      case OP.SYNC: {
        if (len !== 36 || data[0] !== 0x07 || data[1] !== 0x07 || data[2] !== 0x12 || data[3] !== 0x20) return;
        // The ROM answers SYNC eight times with a non-zero value; the stub with 0.
        for (let i = 0; i < 8; i++) this.respond(op, this.mode === 'stub' ? 0 : 0x20120707);
        return;
      }
      case OP.READ_REG:
        return this.respond(op, this.regs.get(u32(0)) ?? 0);
      case OP.WRITE_REG: {
        for (let i = 0; i + 16 <= len; i += 16) {
          const addr = u32(i / 4);
          const value = u32(i / 4 + 1);
          if (addr === SPI_CMD_REG && value & SPI_CMD_USR) {
            // The flash "executes" the user command at once: RDID (0x9F) puts the JEDEC id in W0.
            this.regs.set(SPI_W0_REG, this.opts.flashId);
            this.regs.set(SPI_CMD_REG, value & ~SPI_CMD_USR);
          } else this.regs.set(addr, value);
        }
        return this.respond(op, 0);
      }
      case OP.SPI_ATTACH:
      case OP.SPI_SET_PARAMS:
        return this.respond(op, 0);
      case OP.MEM_BEGIN:
      case OP.MEM_DATA:
        return this.respond(op, 0);
      case OP.MEM_END:
        this.respond(op, 0);
        this.mode = 'stub';
        this.sendSlip(new TextEncoder().encode('OHAI'));
        return;
      case OP.CHANGE_BAUDRATE: {
        const baud = u32(0);
        this.respond(op, 0);
        // Switch after the ack has left at the old speed.
        setTimeout(() => {
          this.baud = baud;
        }, 1);
        return;
      }
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN: {
        const size = u32(0);
        const blockSize = u32(2);
        const offset = u32(3);
        if (offset + size > this.flash.length) return this.fail(op, 0x08);
        const erase = op === OP.FLASH_BEGIN ? size : size;
        this.flash.fill(0xff, offset, Math.min(this.flash.length, offset + Math.ceil(erase / 4096) * 4096));
        this.write = { offset, size, blockSize, pos: 0, inflate: op === OP.FLASH_DEFL_BEGIN ? new Inflate() : undefined };
        return this.respond(op, 0);
      }
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA: {
        const w = this.write;
        if (!w) return this.fail(op, 0x07);
        const n = u32(0);
        const seq = u32(1);
        const block = data.subarray(16, 16 + n);
        let sum = 0xef;
        for (const b of block) sum ^= b;
        if (sum !== chk) return this.fail(op, 0x07);
        if (op === OP.FLASH_DATA) {
          const at = w.offset + seq * w.blockSize;
          const end = Math.min(at + block.length, this.flash.length);
          this.flash.set(block.subarray(0, end - at), at);
        } else {
          if (!w.inflate) return this.fail(op, 0x07);
          const inflate = w.inflate;
          const chunks: Uint8Array[] = [];
          inflate.onData = (c: Uint8Array) => chunks.push(c);
          inflate.push(block, false);
          if (inflate.err) return this.fail(op, 0xc1);
          for (const c of chunks) {
            this.flash.set(c, w.offset + w.pos);
            w.pos += c.length;
          }
        }
        return this.respond(op, 0);
      }
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        this.write = null;
        return this.respond(op, 0);
      case OP.SPI_FLASH_MD5: {
        const addr = u32(0);
        const size = u32(1);
        if (addr + size > this.flash.length) return this.fail(op, 0x08);
        const h = await createMD5();
        h.init();
        h.update(this.flash.subarray(addr, addr + size));
        const hex = h.digest('hex');
        if (this.mode === 'stub') {
          const raw = new Uint8Array(16);
          for (let i = 0; i < 16; i++) raw[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
          return this.respond(op, 0, raw);
        }
        return this.respond(op, 0, new TextEncoder().encode(hex));
      }
      default:
        // What the ROM does with a command it lacks (e.g. GET_SECURITY_INFO on an ESP32): an error
        // packet esptool recognises as "unsupported" (status 1, error 0x05 "invalid message").
        return this.respond(0x00, 0, new Uint8Array(0), 1, 0x05);
    }
  }
}
