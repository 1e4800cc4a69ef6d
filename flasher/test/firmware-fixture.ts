/** A small fake ESP-IDF build (bootloader, partition table, app) with its flasher_args.json. */
export interface FixtureBuild {
  flasherArgs: Record<string, unknown>;
  files: Record<string, Uint8Array>;
}

function pseudoRandom(n: number, seed: number, magic = true): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  // ESP image header: magic 0xE9; bytes 2-3 (flash mode/size) are left as built.
  if (magic) out[0] = 0xe9;
  // Runs of 0xC0/0xDB exercise SLIP escaping; zeros make deflate do some work.
  out.fill(0xc0, 100, 140);
  out.fill(0xdb, 140, 160);
  out.fill(0, 1000, 3000);
  return out;
}

export function fixtureBuild(appBytes = 96 * 1024): FixtureBuild {
  return {
    flasherArgs: {
      write_flash_args: ['--flash_mode', 'dio', '--flash_size', '4MB', '--flash_freq', '40m'],
      flash_settings: { flash_mode: 'dio', flash_size: '4MB', flash_freq: '40m' },
      flash_files: {
        '0x1000': 'bootloader/bootloader.bin',
        '0x8000': 'partition_table/partition-table.bin',
        '0x10000': 'signalcraft.bin',
      },
      bootloader: { offset: '0x1000', file: 'bootloader/bootloader.bin', encrypted: 'false' },
      app: { offset: '0x10000', file: 'signalcraft.bin', encrypted: 'false' },
      extra_esptool_args: { after: 'hard_reset', before: 'default_reset', stub: true, chip: 'esp32' },
    },
    files: {
      'bootloader/bootloader.bin': pseudoRandom(26 * 1024 + 3, 1),
      'partition_table/partition-table.bin': pseudoRandom(3072, 2, false),
      'signalcraft.bin': pseudoRandom(appBytes, 3),
    },
  };
}
