import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rmsVerdict } from '../testing/rms-ensemble.ts';
import { ThreadedEnsemble } from './threaded-ensemble.ts';

const FIXTURE = new URL('../testing/rms-ensemble.ts', import.meta.url).href;

describe('ensemble in a worker thread', () => {
  it('scores in the thread, passes errors back, survives a crash by restarting', async () => {
    const ens = await ThreadedEnsemble.load('/models/ok', FIXTURE);
    try {
      expect(ens.version).toBe('test-rms-1');
      const pcm = new Float32Array(16000).map((_, i) => 0.2 * Math.sin(i / 5));
      const v = await ens.rescore(pcm);
      expect(v).toEqual(rmsVerdict(pcm));
      expect(pcm.length).toBe(16000); // the caller's buffer is not transferred away
      await expect(ens.rescore(new Float32Array(0))).rejects.toThrow(/empty clip/);
      const crash = new Float32Array(100);
      crash[0] = 0.5;
      await expect(ens.rescore(crash)).rejects.toThrow(/exited with code 3/);
      expect((await ens.rescore(pcm)).score).toBeCloseTo(v.score, 6);
    } finally {
      await ens.close();
    }
  });

  it("rejects with the loader's message when there is no ensemble", async () => {
    await expect(ThreadedEnsemble.load('/models/missing', FIXTURE)).rejects.toThrow(/cannot read \/models\/missing/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-noens-'));
    try {
      // the real scorer module, pointed at an empty folder
      await expect(ThreadedEnsemble.load(dir)).rejects.toThrow(/ensemble\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
