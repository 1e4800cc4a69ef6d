import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../synth/clip.ts';
import { generateDataset } from '../synth/dataset.ts';
import { FAULT_IDS } from '../synth/faults.ts';
import { sampleMachine } from '../synth/machine.ts';
import { clipStatistics, fitBaseline, mahalanobis } from './baseline.ts';
import { evaluate, harmonicMean, summarize } from './run.ts';

describe('harmonicMean', () => {
  it('is dragged down by the worst value and is 0 if any value is 0', () => {
    expect(harmonicMean([1, 0.5])).toBeCloseTo(2 / 3, 12);
    expect(harmonicMean([0.9, 0])).toBe(0);
    expect(() => harmonicMean([])).toThrow();
  });
});

describe('summarize', () => {
  it('scores each fault against all normal clips', () => {
    const test = [
      { label: 'normal' as const },
      { label: 'normal' as const },
      { label: 'anomaly' as const, fault: 'a' },
      { label: 'anomaly' as const, fault: 'b' },
    ];
    const r = summarize([0, 2, 3, 1], test);
    expect(r.auc).toBeCloseTo(0.75, 12);
    expect(r.perFault.a).toEqual({ auc: 1, pauc: 1, n: 1 });
    expect(r.perFault.b.auc).toBeCloseTo(0.5, 12);
    expect(r.perFault.b.n).toBe(1);
  });
});

describe('baseline (Mahalanobis on clip log-mel statistics)', () => {
  it('ignores microphone gain but notices a changed spectrum', () => {
    const m = sampleMachine('baseline/m', 'm');
    const train = Array.from({ length: 8 }, (_, i) => clipStatistics(synthesizeClip({ machine: m, seed: i, durationS: 1 })));
    const model = fitBaseline(train);
    expect(model.shrinkage).toBeGreaterThan(0);
    expect(model.shrinkage).toBeLessThanOrEqual(1);
    const fresh = synthesizeClip({ machine: m, seed: 100, durationS: 1 });
    const louder = synthesizeClip({ machine: m, seed: 100, durationS: 1, gainDb: 12 });
    const d0 = mahalanobis(model, clipStatistics(fresh));
    expect(mahalanobis(model, clipStatistics(louder))).toBeCloseTo(d0, 0);
    const leak = synthesizeClip({ machine: m, seed: 100, durationS: 1, fault: 'valve-leak', severity: 1 });
    expect(mahalanobis(model, clipStatistics(leak))).toBeGreaterThan(2 * d0);
  });

  it('refuses to fit on fewer than two clips', () => {
    expect(() => fitBaseline([new Float64Array(4)])).toThrow(/at least 2/);
  });
});

describe('evaluate on a tiny synthetic dataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-eval-'));
    await generateDataset({
      outDir: dir,
      seed: 5,
      machines: 2,
      clipsPerMachine: 6,
      testNormalPerMachine: 3,
      anomaliesPerFault: 1,
      durationS: 1,
      severity: 1,
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reports AUC and pAUC overall, per fault and per machine, and separates severe faults', async () => {
    const r = await evaluate({ dataDir: dir });
    expect(r.clips).toEqual({ train: 12, test: 6 + 12 });
    const b = r.scorers.baseline;
    expect(Object.keys(b.perFault).sort()).toEqual([...FAULT_IDS].sort());
    for (const f of Object.values(b.perFault)) expect(f.n).toBe(2);
    expect(b.auc).toBeGreaterThan(0.8);
    const per = r.extras?.perMachine.baseline ?? {};
    expect(Object.keys(per)).toEqual(['m00', 'm01']);
    const h = r.extras?.machineHarmonicMean.baseline;
    expect(h?.auc).toBeCloseTo(2 / (1 / per.m00.auc + 1 / per.m01.auc), 12);
  });

  it('runs extra scorers on the same clips and rejects non-finite scores', async () => {
    const loud = { name: 'rms', scoreClip: (c: { pcm: Float32Array }) => Math.sqrt(c.pcm.reduce((a, x) => a + x * x, 0)) };
    const r = await evaluate({ dataDir: dir, scorers: [loud] });
    expect(Object.keys(r.scorers)).toEqual(['baseline', 'rms']);
    const bad = { name: 'bad', scoreClip: () => Number.NaN };
    await expect(evaluate({ dataDir: dir, scorers: [bad] })).rejects.toThrow(/scorer "bad" returned NaN/);
  });
});
