/**
 * Injected into Chromium before the flasher loads (page.addInitScript): replaces Web Serial with a
 * FakeSerialPort wired to a VirtualEsp32, and exposes the device for assertions.
 */
import { FakeSerialPort } from './fake-serial.ts';
import { VirtualEsp32, type VirtualEsp32Options } from './virtual-esp32.ts';

declare global {
  interface Window {
    __virtualEsp32Options?: VirtualEsp32Options;
    __virtualEsp32: VirtualEsp32;
    __fakePort: FakeSerialPort;
  }
}

const device = new VirtualEsp32(window.__virtualEsp32Options ?? {});
const port = new FakeSerialPort(device);
window.__virtualEsp32 = device;
window.__fakePort = port;
Object.defineProperty(Navigator.prototype, 'serial', {
  configurable: true,
  get: () => ({
    requestPort: async () => port,
    getPorts: async () => [port],
  }),
});
