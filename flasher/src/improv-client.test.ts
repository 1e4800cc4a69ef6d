import { describe, expect, it } from 'vitest';
import { FakeSerialPort } from '../test/fake-serial.ts';
import { VirtualEsp32 } from '../test/virtual-esp32.ts';
import { ImprovState } from './improv.ts';
import { ImprovClient, ImprovRpcError } from './improv-client.ts';
import { SerialLink } from './transport.ts';

async function connected() {
  const device = new VirtualEsp32();
  device.flash[0x10000] = 0xe9; // a bootable app
  const link = new SerialLink(new FakeSerialPort(device));
  await link.open(115200);
  const log: string[] = [];
  link.onData((b) => log.push(new TextDecoder().decode(b)));
  return { device, link, client: new ImprovClient(link, 1000), log };
}

describe('ImprovClient against the simulated firmware', () => {
  it('reads state and device info, scans, provisions Wi-Fi and sets the cloud', async () => {
    const { device, link, client } = await connected();
    expect(await client.getState()).toBe(ImprovState.Ready);
    expect(await client.getDeviceInfo()).toEqual({ firmware: 'signalcraft', version: '0.1.0', chip: 'ESP32', name: 'sc-12b4' });
    expect(await client.scanNetworks()).toEqual([{ ssid: 'ColdRoom-2G', rssi: -48, secured: true }]);
    await client.provisionWifi('ColdRoom-2G', 'frost-1234');
    expect(client.state).toBe(ImprovState.Provisioned);
    await client.setCloud('http://127.0.0.1:8787', 'dev_tok_abc');
    expect(device.app.wifi).toEqual({ ssid: 'ColdRoom-2G', password: 'frost-1234' });
    expect(device.app.cloud).toEqual({ url: 'http://127.0.0.1:8787', token: 'dev_tok_abc' });
    await link.close();
  });

  it('surfaces a wrong Wi-Fi password as "unable to connect"', async () => {
    const { link, client } = await connected();
    const err = await client.provisionWifi('ColdRoom-2G', 'nope').catch((e) => e);
    expect(err).toBeInstanceOf(ImprovRpcError);
    expect(err.message).toMatch(/unable to connect/);
    await link.close();
  });

  it('validates the cloud URL before sending, and times out clearly on a silent port', async () => {
    const { device, link, client } = await connected();
    await expect(client.setCloud('ftp://x', 't')).rejects.toThrow(/http/);
    await expect(client.setCloud('not a url', 't')).rejects.toThrow(/not a URL/);
    device.mode = 'off';
    await expect(client.getState()).rejects.toThrow(/no Improv answer/);
    await link.close();
  });
});
