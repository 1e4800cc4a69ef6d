/**
 * The device side of Improv serial as the Signalcraft firmware implements it, for tests only: it
 * answers the standard RPCs and vendor RPC 0xA0 (cloud URL + device token). The real firmware's
 * host build replaces it wherever it is available.
 */
import {
  decodeRpcData,
  encodePacket,
  encodeRpcResult,
  ImprovError,
  ImprovParser,
  ImprovState,
  PacketType,
  RpcCommand,
} from '../src/improv.ts';

export interface ImprovDeviceOptions {
  networks: { ssid: string; password: string; rssi: number }[];
  send(bytes: Uint8Array): void;
}

export class ImprovDeviceSim {
  state: number = ImprovState.Ready;
  wifi: { ssid: string; password: string } | null = null;
  cloud: { url: string; token: string } | null = null;
  private parser = new ImprovParser(() => this.error(ImprovError.InvalidRpc));

  constructor(private readonly opts: ImprovDeviceOptions) {}

  boot(): void {
    this.parser = new ImprovParser(() => this.error(ImprovError.InvalidRpc));
    this.log('I (312) signalcraft: firmware 0.1.0 booting');
    this.log(`I (318) improv: state ${this.state === ImprovState.Provisioned ? 'provisioned' : 'ready'}`);
  }

  private log(line: string): void {
    this.opts.send(new TextEncoder().encode(`${line}\r\n`));
  }

  private sendState(): void {
    this.opts.send(encodePacket(PacketType.CurrentState, Uint8Array.of(this.state), false));
  }

  private error(code: number): void {
    this.opts.send(encodePacket(PacketType.ErrorState, Uint8Array.of(code), false));
  }

  receive(bytes: Uint8Array): void {
    for (const p of this.parser.push(bytes)) {
      if (p.type !== PacketType.Rpc) continue;
      let rpc: ReturnType<typeof decodeRpcData>;
      try {
        rpc = decodeRpcData(p.data);
      } catch {
        this.error(ImprovError.InvalidRpc);
        continue;
      }
      this.handle(rpc.command, rpc.strings);
    }
  }

  private handle(command: number, strings: string[]): void {
    switch (command) {
      case RpcCommand.GetState: {
        this.sendState();
        return;
      }
      case RpcCommand.GetDeviceInfo: {
        this.opts.send(encodeRpcResult(command, ['signalcraft', '0.1.0', 'ESP32', 'sc-12b4']));
        return;
      }
      case RpcCommand.ScanNetworks:
        for (const n of this.opts.networks) this.opts.send(encodeRpcResult(command, [n.ssid, String(n.rssi), 'YES']));
        {
          this.opts.send(encodeRpcResult(command, []));
          return;
        }
      case RpcCommand.WifiSettings: {
        const [ssid, password] = strings;
        if (strings.length !== 2 || !ssid) {
          this.error(ImprovError.InvalidRpc);
          return;
        }
        this.state = ImprovState.Provisioning;
        this.sendState();
        this.log(`I (2000) wifi: connecting to ${ssid}`);
        setTimeout(() => {
          const net = this.opts.networks.find((n) => n.ssid === ssid);
          if (!net || net.password !== password) {
            this.state = ImprovState.Ready;
            this.error(ImprovError.UnableToConnect);
            this.sendState();
            return;
          }
          this.wifi = { ssid, password };
          this.state = ImprovState.Provisioned;
          this.sendState();
          this.opts.send(encodeRpcResult(command, []));
        }, 20);
        return;
      }
      case RpcCommand.SetCloud: {
        const [url, token] = strings;
        if ((strings.length !== 2 && strings.length !== 3) || !/^https?:\/\//.test(url ?? '') || !token) {
          this.error(ImprovError.InvalidRpc);
          return;
        }
        this.cloud = { url, token };
        this.log(`I (2100) cloud: endpoint ${url}`);
        this.opts.send(encodeRpcResult(command, []));
        return;
      }
      default: {
        this.error(ImprovError.UnknownRpc);
        return;
      }
    }
  }
}
