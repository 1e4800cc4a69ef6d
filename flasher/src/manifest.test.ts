import { describe, expect, it } from 'vitest';
import { fixtureBuild } from '../test/firmware-fixture.ts';
import { buildForChip, ManifestError, manifestFromFlasherArgs, parseManifest } from './manifest.ts';

describe('manifestFromFlasherArgs', () => {
  it('takes chip family, part offsets and flash settings from flasher_args.json', () => {
    const m = manifestFromFlasherArgs(fixtureBuild().flasherArgs, {
      name: 'Signalcraft',
      version: '0.1.0',
      pathPrefix: 'esp32/',
    });
    expect(m.builds).toEqual([
      {
        chipFamily: 'ESP32',
        parts: [
          { path: 'esp32/bootloader/bootloader.bin', offset: 0x1000 },
          { path: 'esp32/partition_table/partition-table.bin', offset: 0x8000 },
          { path: 'esp32/signalcraft.bin', offset: 0x10000 },
        ],
        flashSettings: { flashMode: 'dio', flashFreq: '40m', flashSize: '4MB' },
      },
    ]);
    expect(parseManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('follows the build: an S3 bootloader at 0x0 stays at 0x0', () => {
    const args = {
      flash_files: { '0x0': 'bootloader/bootloader.bin', '0x10000': 'app.bin', '0x8000': 'pt.bin' },
      extra_esptool_args: { chip: 'esp32s3' },
    };
    const m = manifestFromFlasherArgs(args, { name: 'x', version: '1' });
    expect(m.builds[0].chipFamily).toBe('ESP32-S3');
    expect(m.builds[0].parts.map((p) => p.offset)).toEqual([0, 0x8000, 0x10000]);
    expect(buildForChip(m, 'ESP32-S3')).toBe(m.builds[0]);
    expect(() => buildForChip(m, 'ESP32')).toThrow(/builds for ESP32-S3 but the board is an ESP32/);
  });

  it.each([
    [null, /JSON object/],
    [{}, /flash_files/],
    [{ flash_files: { '0x1000': 'a.bin' }, extra_esptool_args: { chip: 'rp2040' } }, /chip is "rp2040"/],
    [{ flash_files: { '0x1001': 'a.bin' }, extra_esptool_args: { chip: 'esp32' } }, /4 KiB/],
    [{ flash_files: { zz: 'a.bin' }, extra_esptool_args: { chip: 'esp32' } }, /not a number/],
    [{ flash_files: { '0x1000': '../../etc/passwd' }, extra_esptool_args: { chip: 'esp32' } }, /escapes/],
  ])('rejects bad flasher_args %#', (args, msg) => {
    expect(() => manifestFromFlasherArgs(args, { name: 'x', version: '1' })).toThrow(msg);
    expect(() => manifestFromFlasherArgs(args, { name: 'x', version: '1' })).toThrow(ManifestError);
  });

  it('validates hand-edited manifests', () => {
    expect(() => parseManifest({ name: 'a', version: '1', builds: [] })).toThrow(/builds/);
    expect(() =>
      parseManifest({ name: 'a', version: '1', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'a', offset: -1 }] }] }),
    ).toThrow(/offset/);
  });
});
