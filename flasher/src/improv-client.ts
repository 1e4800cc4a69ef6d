import { decodeRpcData, ERROR_NAMES, encodeRpc, ImprovParser, ImprovState, PacketType, RpcCommand } from './improv.ts';
import type { SerialLink } from './transport.ts';

export class ImprovRpcError extends Error {
  constructor(
    message: string,
    readonly code: number | 'timeout',
  ) {
    super(message);
    this.name = 'ImprovRpcError';
  }
}

export interface DeviceInfo {
  firmware: string;
  version: string;
  chip: string;
  name: string;
}

export interface WifiNetwork {
  ssid: string;
  rssi: number;
  secured: boolean;
}

type Waiter = {
  accept(type: number, data: Uint8Array): boolean;
  reject(err: Error): void;
};

/**
 * Host side of Improv serial: one RPC at a time, each answered by an RPC result, a state change or
 * an error packet. The same class runs in the browser flasher and in `signalcraft provision`.
 */
export class ImprovClient {
  private parser: ImprovParser;
  private waiters = new Set<Waiter>();
  private unsubscribe: () => void;
  state: number | null = null;

  constructor(
    private readonly link: SerialLink,
    private readonly timeoutMs = 5000,
  ) {
    this.parser = new ImprovParser((reason) => this.failAll(new ImprovRpcError(`corrupted Improv frame: ${reason}`, 0xff)));
    this.unsubscribe = link.onData((bytes) => this.onBytes(bytes));
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onBytes(bytes: Uint8Array): void {
    for (const p of this.parser.push(bytes)) {
      if (p.type === PacketType.CurrentState) this.state = p.data[0];
      for (const w of [...this.waiters]) {
        if (w.accept(p.type, p.data)) this.waiters.delete(w);
      }
    }
  }

  private failAll(err: Error): void {
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
  }

  private request<T>(
    frame: Uint8Array,
    what: string,
    handle: (type: number, data: Uint8Array, resolve: (v: T) => void, reject: (e: Error) => void) => boolean,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new ImprovRpcError(
            `no Improv answer to "${what}" within ${timeoutMs} ms: is the Signalcraft firmware running and is the baud rate 115200?`,
            'timeout',
          ),
        );
      }, timeoutMs);
      const done =
        <A>(fn: (a: A) => void) =>
        (a: A) => {
          clearTimeout(timer);
          fn(a);
        };
      const waiter: Waiter = {
        accept: (type, data) => {
          if (type === PacketType.ErrorState && data[0] !== 0) {
            done(reject)(
              new ImprovRpcError(
                `device refused "${what}": ${ERROR_NAMES[data[0]] ?? `error 0x${data[0].toString(16)}`}`,
                data[0],
              ),
            );
            return true;
          }
          return handle(type, data, done(resolve), done(reject));
        },
        reject: done(reject),
      };
      this.waiters.add(waiter);
      this.link.write(frame).catch(done(reject));
    });
  }

  /** Asks for the current state (ready / provisioning / provisioned). */
  getState(): Promise<number> {
    return this.request(encodeRpc(RpcCommand.GetState), 'get state', (type, data, resolve) => {
      if (type !== PacketType.CurrentState) return false;
      resolve(data[0]);
      return true;
    });
  }

  getDeviceInfo(): Promise<DeviceInfo> {
    return this.request(encodeRpc(RpcCommand.GetDeviceInfo), 'device info', (type, data, resolve) => {
      if (type !== PacketType.RpcResult) return false;
      const r = decodeRpcData(data);
      if (r.command !== RpcCommand.GetDeviceInfo) return false;
      const [firmware = '', version = '', chip = '', name = ''] = r.strings;
      resolve({ firmware, version, chip, name });
      return true;
    });
  }

  /** Wi-Fi networks the device sees, strongest first. The device ends the list with an empty result. */
  scanNetworks(): Promise<WifiNetwork[]> {
    const found: WifiNetwork[] = [];
    return this.request(
      encodeRpc(RpcCommand.ScanNetworks),
      'scan Wi-Fi networks',
      (type, data, resolve) => {
        if (type !== PacketType.RpcResult) return false;
        const r = decodeRpcData(data);
        if (r.command !== RpcCommand.ScanNetworks) return false;
        if (r.strings.length === 0) {
          resolve(found.sort((a, b) => b.rssi - a.rssi));
          return true;
        }
        const [ssid, rssi, auth] = r.strings;
        found.push({ ssid, rssi: Number(rssi), secured: auth === 'YES' });
        return false;
      },
      this.timeoutMs * 3,
    );
  }

  /**
   * Sends Wi-Fi credentials and waits until the device reports Provisioned (resolves with the
   * redirect URL it returns, if any) or an error (rejects, e.g. "unable to connect").
   */
  provisionWifi(ssid: string, password: string, timeoutMs = 30_000): Promise<string | null> {
    if (!ssid) return Promise.reject(new ImprovRpcError('the Wi-Fi network name (SSID) is empty', 0x01));
    return this.request(
      encodeRpc(RpcCommand.WifiSettings, [ssid, password]),
      `join Wi-Fi "${ssid}"`,
      (type, data, resolve) => {
        if (type === PacketType.RpcResult) {
          const r = decodeRpcData(data);
          if (r.command !== RpcCommand.WifiSettings) return false;
          resolve(r.strings[0] ?? null);
          return true;
        }
        return false;
      },
      timeoutMs,
    );
  }

  /**
   * Signalcraft vendor RPC 0xA0: stores the cloud URL and the device token (and, when given, the
   * device id the token belongs to) on the device.
   */
  setCloud(cloudUrl: string, deviceToken: string, deviceId?: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(cloudUrl);
    } catch {
      return Promise.reject(new ImprovRpcError(`"${cloudUrl}" is not a URL (expected e.g. https://cloud.example.com)`, 0x01));
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return Promise.reject(new ImprovRpcError(`cloud URL must be http(s), got ${parsed.protocol}`, 0x01));
    }
    if (!deviceToken) return Promise.reject(new ImprovRpcError('the device token is empty', 0x01));
    const strings = deviceId ? [cloudUrl, deviceToken, deviceId] : [cloudUrl, deviceToken];
    return this.request(encodeRpc(RpcCommand.SetCloud, strings), 'set cloud URL and token', (type, data, resolve) => {
      if (type !== PacketType.RpcResult) return false;
      const r = decodeRpcData(data);
      if (r.command !== RpcCommand.SetCloud) return false;
      resolve();
      return true;
    });
  }
}

export const isProvisioned = (state: number | null) => state === ImprovState.Provisioned;
