import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../flasher/src/manifest.ts';
import { packageFirmware } from './package-firmware.ts';

function fakeBuild(partitionOffset: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-idf-build-'));
  mkdirSync(join(dir, 'bootloader'));
  mkdirSync(join(dir, 'partition_table'));
  writeFileSync(join(dir, 'bootloader/bootloader.bin'), Buffer.alloc(2048, 1));
  writeFileSync(join(dir, 'partition_table/partition-table.bin'), Buffer.alloc(3072, 2));
  writeFileSync(join(dir, 'signalcraft.bin'), Buffer.alloc(5000, 3));
  writeFileSync(join(dir, 'project_description.json'), JSON.stringify({ project_version: '1.4.2' }));
  writeFileSync(
    join(dir, 'flasher_args.json'),
    JSON.stringify({
      flash_settings: { flash_mode: 'dio', flash_size: '4MB', flash_freq: '40m' },
      flash_files: {
        '0x1000': 'bootloader/bootloader.bin',
        [partitionOffset]: 'partition_table/partition-table.bin',
        '0x20000': 'signalcraft.bin',
      },
      extra_esptool_args: { chip: 'esp32', after: 'hard_reset', before: 'default_reset' },
    }),
  );
  return dir;
}

describe('firmware release packaging', () => {
  it('writes the binaries and a manifest whose offsets come from flasher_args.json', () => {
    const build = fakeBuild('0xc000');
    const out = join(build, 'release');
    const r = packageFirmware({ buildDir: build, outDir: out });
    const manifest = parseManifest(JSON.parse(readFileSync(r.manifestPath, 'utf8')));
    expect(manifest.version).toBe('1.4.2');
    expect(manifest.builds[0].chipFamily).toBe('ESP32');
    expect(manifest.builds[0].parts).toEqual([
      { path: 'bootloader.bin', offset: 0x1000 },
      { path: 'partition-table.bin', offset: 0xc000 },
      { path: 'signalcraft.bin', offset: 0x20000 },
    ]);
    expect(readFileSync(join(out, 'signalcraft.bin')).equals(Buffer.alloc(5000, 3))).toBe(true);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('names the missing piece when the build is incomplete', () => {
    const build = fakeBuild('0x8000');
    writeFileSync(
      join(build, 'flasher_args.json'),
      '{"flash_files": {"0x1000": "nope.bin"}, "extra_esptool_args": {"chip": "esp32"}}',
    );
    expect(() => packageFirmware({ buildDir: build, outDir: join(build, 'r') })).toThrow(/nope\.bin.*missing/);
    expect(() => packageFirmware({ buildDir: join(build, 'absent'), outDir: join(build, 'r') })).toThrow(/idf\.py build/);
  });
});
