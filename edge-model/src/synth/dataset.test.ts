import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDataset, listSplit } from '../dataset/load.ts';
import { generateDataset, resolveOptions } from './dataset.ts';

describe('generateDataset', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sc-gen-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('puts unseen machines only in test/, and the loader reads the split layout back with machines', async () => {
    const dir = join(root, 'split');
    const m = await generateDataset({
      outDir: dir,
      seed: 3,
      machines: 2,
      unseenMachines: 1,
      clipsPerMachine: 2,
      testNormalPerMachine: 1,
      anomaliesPerFault: 1,
      faults: ['bearing', 'slugging'],
      durationS: 0.3,
      severity: 0.5,
      snrDb: 10,
    });
    expect(m.machines.map((x) => [x.id, x.unseen])).toEqual([
      ['m00', false],
      ['m01', false],
      ['u00', true],
    ]);
    const { train, test } = await listSplit(dir);
    expect(new Set(train.map((e) => e.machine))).toEqual(new Set(['m00', 'm01']));
    expect(new Set(test.map((e) => e.machine))).toEqual(new Set(['m00', 'm01', 'u00']));
    expect(test.filter((e) => e.label === 'anomaly').map((e) => e.fault)).toHaveLength(6);
    for (const c of m.clips) {
      expect(c.severity).toBe(c.label === 'anomaly' ? 0.5 : 0);
      expect(c.snrDb).toBe(10);
    }
  });

  it('writes the dcase layout (DIR/normal, DIR/anomaly/<fault>) without splits', async () => {
    const dir = join(root, 'dcase');
    await generateDataset({
      outDir: dir,
      seed: 1,
      machines: 1,
      clipsPerMachine: 2,
      anomaliesPerFault: 1,
      durationS: 0.3,
      layout: 'dcase',
    });
    expect((await readdir(dir)).sort()).toEqual(['anomaly', 'manifest.json', 'normal']);
    const entries = await listDataset(dir);
    expect(entries.filter((e) => e.label === 'normal')).toHaveLength(2);
    expect(new Set(entries.filter((e) => e.label === 'anomaly').map((e) => e.fault)).size).toBe(6);
    expect(entries.every((e) => e.split === undefined)).toBe(true);
  });

  it('refuses a non-empty folder unless forced, and then replaces only its own output', async () => {
    const dir = join(root, 'busy');
    await generateDataset({
      outDir: dir,
      seed: 1,
      machines: 1,
      clipsPerMachine: 1,
      anomaliesPerFault: 1,
      durationS: 0.2,
      faults: ['bearing'],
    });
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(generateDataset({ outDir: dir, seed: 2, durationS: 0.2 })).rejects.toThrow(/not empty.*--force/);
    await generateDataset({
      outDir: dir,
      seed: 2,
      machines: 1,
      clipsPerMachine: 1,
      durationS: 0.2,
      faults: ['slugging'],
      force: true,
    });
    expect((await readdir(join(dir, 'test', 'anomaly'))).sort()).toEqual(['slugging']);
    expect(await readdir(dir)).toContain('notes.txt');
  });

  it('validates options with messages naming the option', () => {
    expect(() => resolveOptions({ outDir: 'x', seed: -1 })).toThrow(/seed/);
    expect(() => resolveOptions({ outDir: 'x', seed: 1, machines: 0 })).toThrow(/machines/);
    expect(() => resolveOptions({ outDir: 'x', seed: 1, severity: [0.8, 0.2] })).toThrow(/severity/);
    expect(() => resolveOptions({ outDir: 'x', seed: 1, layout: 'dcase', unseenMachines: 1 })).toThrow(/split layout/);
    expect(() => resolveOptions({ outDir: 'x', seed: 1, faults: ['bearing', 'bearing'] })).toThrow(/twice/);
  });
});
