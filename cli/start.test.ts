import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_IDS } from '../edge-model/src/synth/faults.ts';

const BIN = fileURLToPath(new URL('../bin/signalcraft.mjs', import.meta.url));

describe('signalcraft start (edge pipeline on synthetic audio)', () => {
  it('synthesises, fits the baseline and prints AUC per fault', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'start', '--seed', '2'], (err, out) => resolve({ code: err ? 1 : 0, stdout: out }));
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/baseline\s+\(all\)\s+36\s+0\.\d{3}\s+0\.\d{3}/);
    for (const f of FAULT_IDS) expect(stdout).toMatch(new RegExp(`\\s${f}\\s+6\\s+[01]\\.\\d{3}`));
  });
});
