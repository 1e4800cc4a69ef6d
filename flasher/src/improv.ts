/**
 * Improv Wi-Fi serial framing (https://www.improv-wifi.com/serial/), pure and shared by the browser
 * flasher, the CLI and the device simulator used in tests.
 *
 * Frame: "IMPROV" · version 0x01 · type · length · data[length] · checksum (sum of every preceding
 * byte, mod 256). Clients append a '\n' so a device that echoes its log line-by-line stays readable.
 */

export const IMPROV_HEADER = new TextEncoder().encode('IMPROV');
export const IMPROV_VERSION = 0x01;

export const PacketType = {
  CurrentState: 0x01,
  ErrorState: 0x02,
  Rpc: 0x03,
  RpcResult: 0x04,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export const ImprovState = {
  Ready: 0x02,
  Provisioning: 0x03,
  Provisioned: 0x04,
} as const;

export const ImprovError = {
  None: 0x00,
  InvalidRpc: 0x01,
  UnknownRpc: 0x02,
  UnableToConnect: 0x03,
  Unknown: 0xff,
} as const;

/**
 * RPC commands. 0x01–0x04 are the standard ones; 0xA0 is Signalcraft's vendor command that stores
 * the cloud URL and device token (payload: the two strings, each length-prefixed like 0x01's).
 */
export const RpcCommand = {
  WifiSettings: 0x01,
  GetState: 0x02,
  GetDeviceInfo: 0x03,
  ScanNetworks: 0x04,
  SetCloud: 0xa0,
} as const;

export interface ImprovPacket {
  type: number;
  data: Uint8Array;
}

export class ImprovFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImprovFrameError';
  }
}

function checksum(bytes: Uint8Array, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return sum;
}

/** Encodes one frame (with the trailing newline clients send). */
export function encodePacket(type: number, data: Uint8Array, newline = true): Uint8Array {
  if (data.length > 255) throw new ImprovFrameError(`Improv payload is ${data.length} bytes; the limit is 255`);
  const out = new Uint8Array(IMPROV_HEADER.length + 3 + data.length + 1 + (newline ? 1 : 0));
  out.set(IMPROV_HEADER, 0);
  let o = IMPROV_HEADER.length;
  out[o++] = IMPROV_VERSION;
  out[o++] = type;
  out[o++] = data.length;
  out.set(data, o);
  o += data.length;
  out[o] = checksum(out, o);
  if (newline) out[o + 1] = 0x0a;
  return out;
}

/** Length-prefixed UTF-8 strings, the encoding every Improv string list uses. */
export function encodeStrings(strings: readonly string[]): Uint8Array {
  const parts = strings.map((s) => new TextEncoder().encode(s));
  const out: number[] = [];
  for (const [i, p] of parts.entries()) {
    if (p.length > 255) throw new ImprovFrameError(`string ${i + 1} is ${p.length} bytes; Improv allows 255`);
    out.push(p.length, ...p);
  }
  return Uint8Array.from(out);
}

export function decodeStrings(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = bytes[i++];
    if (i + n > bytes.length)
      throw new ImprovFrameError(`string at byte ${i - 1} claims ${n} bytes but only ${bytes.length - i} remain`);
    out.push(new TextDecoder().decode(bytes.subarray(i, i + n)));
    i += n;
  }
  return out;
}

/** An RPC command frame: command · payload length · payload. */
export function encodeRpc(command: number, strings: readonly string[] = []): Uint8Array {
  const payload = encodeStrings(strings);
  if (payload.length + 2 > 255)
    throw new ImprovFrameError(`RPC 0x${command.toString(16)} payload is too long (${payload.length} bytes)`);
  return encodePacket(PacketType.Rpc, Uint8Array.from([command, payload.length, ...payload]));
}

export interface RpcFrame {
  command: number;
  strings: string[];
}

/** Decodes the data of an RPC (0x03) or RPC result (0x04) packet: command · length · strings. */
export function decodeRpcData(data: Uint8Array): RpcFrame {
  if (data.length < 2) throw new ImprovFrameError('RPC data shorter than 2 bytes');
  const len = data[1];
  if (len !== data.length - 2) throw new ImprovFrameError(`RPC data length byte says ${len} but ${data.length - 2} bytes follow`);
  return { command: data[0], strings: decodeStrings(data.subarray(2)) };
}

export function encodeRpcResult(command: number, strings: readonly string[]): Uint8Array {
  const payload = encodeStrings(strings);
  return encodePacket(PacketType.RpcResult, Uint8Array.from([command, payload.length, ...payload]), false);
}

/**
 * Incremental parser: feed it raw serial bytes (interleaved with the device's log text) and it
 * yields the Improv packets found. Bad checksums are reported, not silently dropped, so a flaky
 * cable shows up as an error instead of a hang.
 */
export class ImprovParser {
  private buf: number[] = [];

  /**
   * `onText` receives every byte that is not part of a frame (the device's log), so a serial
   * monitor can show the log without binary frame debris.
   */
  constructor(
    private readonly onBadFrame?: (reason: string) => void,
    private readonly onText?: (bytes: Uint8Array) => void,
  ) {}

  private emitText(n: number): void {
    if (n > 0 && this.onText) this.onText(Uint8Array.from(this.buf.slice(0, n)));
  }

  push(chunk: Uint8Array): ImprovPacket[] {
    for (const b of chunk) this.buf.push(b);
    const out: ImprovPacket[] = [];
    for (;;) {
      const start = this.findHeader();
      if (start < 0) {
        // Keep a possible partial header at the tail.
        const keep = this.partialHeaderAtTail();
        this.emitText(this.buf.length - keep);
        this.buf = this.buf.slice(this.buf.length - keep);
        return out;
      }
      if (start > 0) {
        this.emitText(start);
        this.buf = this.buf.slice(start);
      }
      const h = IMPROV_HEADER.length;
      if (this.buf.length < h + 3) return out;
      const len = this.buf[h + 2];
      const total = h + 3 + len + 1;
      if (this.buf.length < total) return out;
      const frame = Uint8Array.from(this.buf.slice(0, total));
      this.buf = this.buf.slice(total);
      if (frame[h] !== IMPROV_VERSION) {
        this.onBadFrame?.(`unsupported Improv version ${frame[h]}`);
        continue;
      }
      const sum = checksum(frame, total - 1);
      if (sum !== frame[total - 1]) {
        this.onBadFrame?.(`bad checksum 0x${frame[total - 1].toString(16)} (expected 0x${sum.toString(16)})`);
        continue;
      }
      out.push({ type: frame[h + 1], data: frame.slice(h + 3, h + 3 + len) });
    }
  }

  /** Length of the longest tail of the buffer that is a prefix of the header. */
  private partialHeaderAtTail(): number {
    const h = IMPROV_HEADER;
    for (let n = Math.min(h.length - 1, this.buf.length); n > 0; n--) {
      let ok = true;
      for (let j = 0; j < n; j++) if (this.buf[this.buf.length - n + j] !== h[j]) ok = false;
      if (ok) return n;
    }
    return 0;
  }

  private findHeader(): number {
    const h = IMPROV_HEADER;
    outer: for (let i = 0; i + h.length <= this.buf.length; i++) {
      for (let j = 0; j < h.length; j++) if (this.buf[i + j] !== h[j]) continue outer;
      return i;
    }
    return -1;
  }
}

export const STATE_NAMES: Record<number, string> = { 2: 'ready', 3: 'provisioning', 4: 'provisioned' };
export const ERROR_NAMES: Record<number, string> = {
  0: 'none',
  1: 'invalid RPC packet',
  2: 'unknown RPC command',
  3: 'unable to connect to the Wi-Fi network',
  255: 'unknown error',
};
