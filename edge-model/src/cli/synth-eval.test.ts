import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_IDS } from '../synth/faults.ts';

const BIN = fileURLToPath(new URL('../../../bin/signalcraft.mjs', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function files(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

// Tiny on purpose: 2 machines, half-second clips.
const SMALL = ['--machines', '2', '--clips-per-machine', '3', '--test-clips', '2', '--duration', '0.5'];

describe('signalcraft synth + eval', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sc-synth-cli-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes byte-identical datasets for the same seed, with all six faults, and a different one for another seed', async () => {
    const [a, b, c] = await Promise.all([
      run(['synth', '--out', join(root, 'A'), '--seed', '1', ...SMALL]),
      run(['synth', '--out', join(root, 'B'), '--seed', '1', ...SMALL]),
      run(['synth', '--out', join(root, 'C'), '--seed', '2', ...SMALL]),
    ]);
    for (const r of [a, b, c]) expect(r.code, r.stderr).toBe(0);
    expect(a.stderr).toMatch(/synth done in/);
    const fa = await files(join(root, 'A'));
    expect(fa).toEqual(await files(join(root, 'B')));
    for (const f of fa) expect((await readFile(join(root, 'A', f))).equals(await readFile(join(root, 'B', f))), f).toBe(true);
    const faults = new Set(fa.filter((f) => f.startsWith('test/anomaly/')).map((f) => f.split('/')[2]));
    expect([...faults].sort()).toEqual([...FAULT_IDS].sort());
    expect(fa.filter((f) => f.startsWith('train/normal/'))).toHaveLength(6);
    const wav = fa.find((f) => f.endsWith('.wav')) as string;
    expect((await readFile(join(root, 'A', wav))).equals(await readFile(join(root, 'C', wav)))).toBe(false);
    const manifest = JSON.parse(await readFile(join(root, 'A', 'manifest.json'), 'utf8'));
    expect(manifest.schema).toBe('signalcraft.synth/1');
    expect(manifest.clips).toHaveLength(fa.length - 1);
  });

  it('refuses a non-empty output folder and bad flags with one line', async () => {
    await run(['synth', '--out', join(root, 'D'), '--seed', '1', ...SMALL, '--faults', 'bearing']);
    const again = await run(['synth', '--out', join(root, 'D'), '--seed', '1', ...SMALL]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/not empty.*--force/);
    const bad = await run(['synth', '--out', join(root, 'E'), '--faults', 'bearing,gremlins']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unknown fault "gremlins"/);
    const sev = await run(['synth', '--out', join(root, 'E'), '--severity', '0.9..0.2']);
    expect(sev.stderr).toMatch(/LO <= HI/);
  });

  it('eval --json prints AUC and pAUC overall and per fault', async () => {
    const r = await run(['eval', '--data', join(root, 'A'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.clips).toEqual({ train: 6, test: 4 + 12 });
    const b = report.scorers.baseline;
    for (const k of ['auc', 'pauc']) expect(b[k]).toBeGreaterThanOrEqual(0);
    expect(Object.keys(b.perFault).sort()).toEqual([...FAULT_IDS].sort());
    for (const f of Object.values(b.perFault) as { auc: number; pauc: number; n: number }[]) {
      expect(f.n).toBe(2);
      expect(f.auc).toBeLessThanOrEqual(1);
    }
  });

  it('eval says in one line what is wrong with --data or --model', async () => {
    const missing = await run(['eval', '--data', join(root, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^signalcraft: dataset folder .*nope does not exist$/);
    const noModel = await run(['eval', '--data', join(root, 'A'), '--model', join(root, 'no-model')]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/--model .*no-model does not exist/);
    // An existing folder that holds no model: the loader's own error, as one line.
    const notModel = await run(['eval', '--data', join(root, 'A'), '--model', join(root, 'A', 'train')]);
    expect(notModel.code).toBe(1);
    expect(notModel.stderr.trim().split('\n')).toHaveLength(1);
    expect(notModel.stderr).toMatch(/^signalcraft: --model \S+train: /);
  });
});
