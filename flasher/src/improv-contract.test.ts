import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImprovError, ImprovState, PacketType, RpcCommand } from './improv.ts';

const header = join(import.meta.dirname, '../../firmware/esp32-tflm/core/improv.h');

/** The Improv ids are defined twice (TypeScript here, C++ in the firmware); they must agree. */
describe.skipIf(!existsSync(header))('Improv constants agree with the firmware (core/improv.h)', () => {
  const src = existsSync(header) ? readFileSync(header, 'utf8') : '';
  const value = (name: string) => {
    const m = new RegExp(`\\b${name}\\s*=\\s*(0x[0-9A-Fa-f]+|\\d+)`).exec(src);
    if (!m) throw new Error(`${name} not found in improv.h`);
    return Number(m[1]);
  };

  it('packet types, states, errors and RPC commands', () => {
    expect([value('kCurrentState'), value('kErrorState'), value('kRpcCommand'), value('kRpcResult')]).toEqual([
      PacketType.CurrentState,
      PacketType.ErrorState,
      PacketType.Rpc,
      PacketType.RpcResult,
    ]);
    expect([value('kReady'), value('kProvisioning'), value('kProvisioned')]).toEqual([
      ImprovState.Ready,
      ImprovState.Provisioning,
      ImprovState.Provisioned,
    ]);
    expect([value('kInvalidRpc'), value('kUnknownRpc'), value('kUnableToConnect'), value('kUnknownError')]).toEqual([
      ImprovError.InvalidRpc,
      ImprovError.UnknownRpc,
      ImprovError.UnableToConnect,
      ImprovError.Unknown,
    ]);
    expect([value('kWifiSettings'), value('kRequestState'), value('kDeviceInfo'), value('kScan'), value('kVendorCloud')]).toEqual(
      [RpcCommand.WifiSettings, RpcCommand.GetState, RpcCommand.GetDeviceInfo, RpcCommand.ScanNetworks, RpcCommand.SetCloud],
    );
  });
});
