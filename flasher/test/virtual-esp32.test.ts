import { ESPLoader, Transport } from 'esptool-js';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../src/flash.ts';
import { FakeSerialPort } from './fake-serial.ts';
import { VirtualEsp32 } from './virtual-esp32.ts';

const u32 = (...v: number[]) => {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  for (const [i, x] of v.entries()) dv.setUint32(i * 4, x >>> 0, true);
  return b;
};

// The virtual ROM is test infrastructure; these checks keep it honest about the commands esptool-js
// does not happen to send during writeFlash.
describe('virtual ESP32 ROM bootloader', () => {
  it('answers SPI_ATTACH, SPI_SET_PARAMS, flash ID and MD5 the way the ROM/stub do', async () => {
    const device = new VirtualEsp32();
    device.flash.set([1, 2, 3, 4], 0x2000);
    const port = new FakeSerialPort(device);
    const transport = new Transport(port as unknown as ConstructorParameters<typeof Transport>[0], false);
    const loader = new ESPLoader({ transport, baudrate: 115200 });
    try {
      expect(await loader.main()).toMatch(/^ESP32/);
      await loader.flashSpiAttach(0);
      await loader.checkCommand('set SPI params', 0x0b, u32(0, 4 * 1024 * 1024, 64 * 1024, 4096, 256, 0xffff));
      expect(device.commands).toEqual(expect.arrayContaining([0x0d, 0x0b]));
      expect((await loader.readFlashId()) & 0xffffff).toBe(0xef4016);
      expect(await loader.flashMd5sum(0x2000, 4)).toBe(await md5Hex(Uint8Array.of(1, 2, 3, 4)));
      // Out-of-range MD5 is refused with a status error, not garbage.
      await expect(loader.flashMd5sum(4 * 1024 * 1024 - 2, 16)).rejects.toThrow(/status/);
    } finally {
      await transport.disconnect();
    }
  });

  it('rejects a FLASH_DATA block whose checksum does not match', async () => {
    const device = new VirtualEsp32();
    const transport = new Transport(new FakeSerialPort(device) as unknown as ConstructorParameters<typeof Transport>[0], false);
    const loader = new ESPLoader({ transport, baudrate: 115200 });
    try {
      await loader.main();
      await loader.flashBegin(4, 0x3000);
      const block = Uint8Array.of(9, 9, 9, 9);
      const pkt = new Uint8Array([...u32(4, 0, 0, 0), ...block]);
      await expect(loader.checkCommand('write', 0x03, pkt, 0x12)).rejects.toThrow(/status/);
      expect(device.flash[0x3000]).toBe(0xff);
    } finally {
      await transport.disconnect();
    }
  });
});
