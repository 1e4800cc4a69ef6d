import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.ts';
import { CliError, numberFlag } from './errors.ts';

const BIN = fileURLToPath(new URL('../bin/signalcraft.mjs', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('signalcraft CLI', () => {
  it('lists every registered command in --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toContain(name);
  });

  it('rejects an unknown command with exit 2 and one line that says what to do', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command "frobnicate".*--help/);
  });
});

describe('signalcraft simulate flags', () => {
  it('refuses bad flags with exit 2 before touching any cloud', async () => {
    const bad = [
      [['--url', 'not a url', '--email', 'a@b.c', '--password', 'x'], /--url must be a URL/],
      [['--url', 'http://127.0.0.1:9', '--devices', '0', '--email', 'a@b.c', '--password', 'x'], /--devices must be at least 1/],
      [['--url', 'http://127.0.0.1:9'], /give --email and --password/],
    ] as const;
    for (const [args, message] of bad) {
      const r = await run(['simulate', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('numberFlag', () => {
  it('names the flag in its errors', () => {
    expect(() => numberFlag('seed', 'abc')).toThrow(/--seed must be a number/);
    expect(() => numberFlag('devices', '2.5', { integer: true })).toThrow(/--devices must be a whole number/);
    expect(() => numberFlag('devices', '0', { min: 1 })).toThrow(CliError);
    expect(numberFlag('seed', '42', { integer: true, min: 0 })).toBe(42);
  });
});
