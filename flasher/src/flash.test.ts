import { describe, expect, it } from 'vitest';
import { FakeSerialPort } from '../test/fake-serial.ts';
import { fixtureBuild } from '../test/firmware-fixture.ts';
import { VirtualEsp32 } from '../test/virtual-esp32.ts';
import { classifyFlashError, FlashError, flashFirmware, md5Hex } from './flash.ts';
import { manifestFromFlasherArgs } from './manifest.ts';

function imagesFrom(build = fixtureBuild()) {
  const manifest = manifestFromFlasherArgs(build.flasherArgs, { name: 'signalcraft', version: '0.1.0' });
  return manifest.builds[0].parts.map((p) => ({ address: p.offset, data: build.files[p.path], name: p.path }));
}

describe('flashFirmware against the virtual ESP32 ROM bootloader', () => {
  it('writes compressed images through the stub; the virtual flash equals the image and MD5s agree', async () => {
    const device = new VirtualEsp32();
    const port = new FakeSerialPort(device);
    const images = imagesFrom();
    const steps: string[] = [];
    const written: number[] = [];
    const result = await flashFirmware(
      port,
      images,
      { baudRate: 460800 },
      {
        step: (s) => steps.push(s),
        progress: (i, w) => i === 2 && written.push(w),
      },
    );
    expect(result.chipFamily).toBe('ESP32');
    for (const img of images) {
      expect(Buffer.from(device.flash.subarray(img.address, img.address + img.data.length)).equals(Buffer.from(img.data))).toBe(
        true,
      );
    }
    // Bytes outside the images stay erased.
    expect(device.flash[0x9000]).toBe(0xff);
    expect(result.md5[2]).toBe(await md5Hex(images[2].data));
    expect(device.commands).toContain(0x06); // MEM_END: the stub was "uploaded"
    expect(device.commands).toContain(0x0f); // CHANGE_BAUDRATE
    expect(device.commands).toContain(0x11); // FLASH_DEFL_DATA
    expect(device.commands).toContain(0x13); // SPI_FLASH_MD5
    await new Promise((r) => setTimeout(r, 30)); // EN's RC delay before the chip samples IO0
    expect(device.baud).toBe(115200); // reset into the app after flashing
    expect(device.mode).toBe('app');
    expect(written.at(-1)).toBeGreaterThan(0);
    expect(steps).toContain('verified');
  });

  it('writes uncompressed (FLASH_BEGIN/DATA/END) when compress is off', async () => {
    const device = new VirtualEsp32();
    const images = imagesFrom(fixtureBuild(20 * 1024));
    await flashFirmware(new FakeSerialPort(device), images, { baudRate: 115200, compress: false });
    for (const img of images) {
      expect(Buffer.from(device.flash.subarray(img.address, img.address + img.data.length)).equals(Buffer.from(img.data))).toBe(
        true,
      );
    }
    expect(device.commands).toContain(0x03);
    expect(device.commands).not.toContain(0x11);
    expect(device.commands).not.toContain(0x0f); // same baud: no change
  });

  it('survives a link that fails above 230400 baud: esptool-js falls back to the ROM baud and still verifies', async () => {
    const device = new VirtualEsp32({ maxReliableBaud: 230400 });
    const images = imagesFrom(fixtureBuild(16 * 1024));
    const log: string[] = [];
    await flashFirmware(new FakeSerialPort(device), images, { baudRate: 921600 }, { log: (l) => log.push(l) });
    for (const img of images) {
      expect(Buffer.from(device.flash.subarray(img.address, img.address + img.data.length)).equals(Buffer.from(img.data))).toBe(
        true,
      );
    }
    expect(log.join('\n')).toMatch(/Continuing at 115200 baud/);
  });

  it('tells the user to hold BOOT when the board never enters the bootloader', async () => {
    const device = new VirtualEsp32({ autoReset: false });
    const err = await flashFirmware(new FakeSerialPort(device), imagesFrom(), { connectTimeoutMs: 1500 }).catch((e) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect(err.kind).toBe('no-bootloader');
    expect(err.hint).toMatch(/BOOT/);
    expect(device.flash[0x10000]).toBe(0xff);
  });

  it('reports a busy port with advice instead of a raw DOMException', async () => {
    const port = new FakeSerialPort(new VirtualEsp32());
    port.busy = true;
    const err = await flashFirmware(port, imagesFrom()).catch((e) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect(err.kind).toBe('port-busy');
    expect(err.hint).toMatch(/in use/);
  });
});

describe('classifyFlashError', () => {
  it.each([
    [new DOMException('Failed to open serial port.', 'NetworkError'), 'port-busy', /in use/],
    [new Error('Error: Cannot lock port'), 'port-busy', /in use/],
    [new Error('Failed to connect with the device'), 'no-bootloader', /BOOT/],
    [new Error('Timeout'), 'timeout', /lower baud rate \(e\.g\. 230400\)/],
    [new Error('MD5 of file does not match data in flash!'), 'verify', /cable/],
    [new Error('something odd'), 'other', /115200/],
  ])('%s → %s', (err, kind, hint) => {
    const e = classifyFlashError(err, 921600);
    expect(e.kind).toBe(kind);
    expect(e.hint).toMatch(hint);
  });
});
