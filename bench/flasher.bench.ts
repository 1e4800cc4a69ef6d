/**
 * Flasher throughput: how fast the shared flashing code (esptool-js ROM → stub → deflate → MD5)
 * pushes a firmware image into the virtual ESP32, and how long an Improv provisioning round trip
 * takes. The virtual UART has no baud-rate pacing, so these are the host-side protocol costs (the
 * ceiling the code allows), not the speed of a real 460800-baud link.
 */
import { flashFirmware, md5Hex } from '../flasher/src/flash.ts';
import { ImprovClient } from '../flasher/src/improv-client.ts';
import { SerialLink } from '../flasher/src/transport.ts';
import { FakeSerialPort } from '../flasher/test/fake-serial.ts';
import { fixtureBuild } from '../flasher/test/firmware-fixture.ts';
import { VirtualEsp32 } from '../flasher/test/virtual-esp32.ts';
import { type BenchFigure, median } from './types.ts';

async function flashOnce(bytes: number, compress: boolean): Promise<number> {
  const build = fixtureBuild(bytes);
  const app = build.files['signalcraft.bin'];
  const device = new VirtualEsp32();
  const started = performance.now();
  const r = await flashFirmware(new FakeSerialPort(device), [{ address: 0x10000, data: app }], {
    baudRate: 921600,
    compress,
    resetAfter: false,
  });
  const ms = performance.now() - started;
  if (r.md5[0] !== (await md5Hex(app))) throw new Error('bench flash did not verify');
  return ms;
}

async function provisionOnce(): Promise<number> {
  const device = new VirtualEsp32();
  device.flash[0x10000] = 0xe9;
  const link = new SerialLink(new FakeSerialPort(device));
  await link.open(115200);
  const client = new ImprovClient(link, 2000);
  const started = performance.now();
  await client.getDeviceInfo();
  await client.provisionWifi('ColdRoom-2G', 'frost-1234');
  await client.setCloud('http://127.0.0.1:8787', 'tok', 'dev-1');
  const ms = performance.now() - started;
  client.dispose();
  await link.close();
  return ms;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const runs = quick ? 3 : 5;
  const bytes = quick ? 128 * 1024 : 1024 * 1024;
  const out: BenchFigure[] = [];
  for (const compress of [true, false]) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await flashOnce(bytes, compress));
    const ms = median(times);
    out.push({
      id: `flasher.write_kib_per_s_${compress ? 'deflate' : 'raw'}`,
      label: `flash ${bytes / 1024} KiB into the virtual ESP32 (${compress ? 'deflate' : 'uncompressed'}), incl. connect + stub + MD5`,
      value: Math.round((bytes / 1024 / (ms / 1000)) * 10) / 10,
      unit: 'KiB/s',
      runs,
      detail: { bytes, msPerRun: times.map((t) => Math.round(t)) },
    });
  }
  const p: number[] = [];
  for (let i = 0; i < runs; i++) p.push(await provisionOnce());
  out.push({
    id: 'flasher.improv_provision_ms',
    label: 'Improv device info + Wi-Fi + cloud (0xA0) round trip, simulated device',
    value: Math.round(median(p) * 10) / 10,
    unit: 'ms',
    runs,
    detail: { msPerRun: p.map((t) => Math.round(t)), note: 'the simulator answers Wi-Fi after 20 ms' },
  });
  return out;
}
