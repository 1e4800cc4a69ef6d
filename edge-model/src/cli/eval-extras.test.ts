import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateEnsembleExtras } from '../../../cloud/src/ensemble/extras.ts';
import { loadEnsemble } from '../../../cloud/src/ensemble/scorer.ts';
import { readCard } from '../../export/card.ts';
import { loadEdgeScorers } from '../../train/scorer.ts';
import { evaluate } from '../eval/run.ts';
import { generateDataset } from '../synth/dataset.ts';
import { FAULT_IDS } from '../synth/faults.ts';
import { formatReport } from './eval.ts';
import { EnsembleEval, type EvalReportWithEnsemble, formatEnsembleSection } from './eval-ensemble.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'signalcraft.mjs');
const MODEL = join(ROOT, 'models', 'default');
const ENSEMBLE = join(ROOT, 'models', 'ensemble');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

// One machine, 1.5-s clips (the ensemble refuses clips under 1 s; the default edge model's first
// input needs 32 log-mel frames ≈ 1.06 s): 3 train, 3 normal + 6 anomalous test clips.
describe('eval with the committed edge model and ensemble', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-eval-extras-'));
    await generateDataset({
      outDir: dir,
      seed: 3,
      machines: 1,
      clipsPerMachine: 3,
      testNormalPerMachine: 3,
      anomaliesPerFault: 1,
      durationS: 1.5,
      severity: 1,
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--json reports the float/int8 score correlation and the ensemble extras; the table shows them', async () => {
    const r = await run(['eval', '--data', dir, '--model', MODEL, '--ensemble', ENSEMBLE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReportWithEnsemble;
    const edge = report.extras?.edge;
    expect(edge).toMatchObject({ a: 'edge-float', b: 'edge-int8', n: 9 });
    expect(edge?.scoreCorrelation).toBeGreaterThanOrEqual(-1);
    expect(edge?.scoreCorrelation).toBeLessThanOrEqual(1);
    expect(edge?.scoreCorrelation).toBeGreaterThan(0.9);
    expect(edge?.maxAbsScoreDiff).toBeGreaterThan(0); // int8 is not bit-identical to float
    expect(Number.isFinite(edge?.maxAbsScoreDiff)).toBe(true);

    const ens = report.extras?.ensemble;
    expect(ens).toBeDefined();
    if (!ens) return;
    // The extras come from the same scores as the table.
    expect(ens.ensemble.auc).toBe(report.scorers.ensemble.auc);
    expect(ens.edge).toEqual({ name: 'edge-int8', auc: report.scorers['edge-int8'].auc });
    const per = ens.classifier?.perFault ?? {};
    expect(Object.keys(per).sort()).toEqual([...FAULT_IDS].sort());
    for (const f of Object.values(per)) {
      expect(f.n).toBe(1);
      expect(f.accuracy).toBe(f.correct / f.n);
    }
    const n = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    expect([n(ens.states.normal), n(ens.states.anomaly)]).toEqual([3, 6]);
    const { thresholds } = await readCard(join(MODEL, 'card.json'));
    for (const b of [ens.borderline, ens.deviceBorderline]) {
      expect(b?.band).toEqual([thresholds.borderlineLow, thresholds.borderlineHigh]);
      expect(b?.n).toBe((b?.normal ?? 0) + (b?.anomaly ?? 0));
      // Whatever falls in the band on this data, an AUC is only given when both classes are there.
      const bothClasses = (b?.normal ?? 0) > 0 && (b?.anomaly ?? 0) > 0;
      expect(b?.edgeAuc === null).toBe(!bothClasses);
      expect(b?.ensembleAuc === null).toBe(!bothClasses);
    }

    const table = formatReport(report);
    expect(table).toMatch(/edge-float vs edge-int8 clip scores \(n=9\): Pearson r (0\.9\d{3}|1\.0000), max \|difference\| /);
    const band = `[${thresholds.borderlineLow.toFixed(3)}, ${thresholds.borderlineHigh.toFixed(3)}]`;
    expect(table).toContain(`clips with an edge window in the band (device uploads) ${band}: n=${ens.deviceBorderline?.n}`);
    expect(table).toMatch(/fault classifier accuracy \d\.\d{3}: bearing \d\.\d{3} \(\d\/1\), electrical/);
  });

  it('scores each clip once, and reports an empty borderline band as n=0 with null AUCs', async () => {
    const ensemble = await loadEnsemble(ENSEMBLE);
    const assess = vi.spyOn(ensemble, 'assess');
    const extras = new EnsembleEval(ensemble, evaluateEnsembleExtras);
    const edgeScorers = await loadEdgeScorers(MODEL);
    const int8 = edgeScorers.find((s) => s.name === 'edge-int8');
    if (!int8) throw new Error('models/default has no int8 scorer');
    const report = await evaluate({
      dataDir: dir,
      scorers: [extras.trackEdge(int8), extras.scorer],
      onClipScored: extras.onClipScored,
    });
    expect(assess).toHaveBeenCalledTimes(9);

    const empty = await extras.finish({ low: 1e6, high: 2e6, source: 'test' });
    expect(assess).toHaveBeenCalledTimes(9); // the extras reuse the assessments
    assess.mockRestore();
    const none = { band: [1e6, 2e6], n: 0, normal: 0, anomaly: 0, edgeAuc: null, ensembleAuc: null };
    expect(empty.borderline).toEqual(none);
    expect(empty.deviceBorderline).toEqual(none);
    const lines = formatEnsembleSection(empty).join('\n');
    expect(lines).toMatch(
      /clips whose edge clip score is in the band \[1000000\.000, 2000000\.000\]: n=0: no clip falls in this band/,
    );

    // A band holding every clip must reproduce the table's AUCs: the kept scores line up with the clips.
    const all = await extras.finish({ low: -1e9, high: 1e9, source: 'test' });
    expect(all.borderline).toMatchObject({ n: 9, normal: 3, anomaly: 6 });
    expect(all.borderline?.edgeAuc).toBeCloseTo(report.scorers['edge-int8'].auc, 12);
    expect(all.borderline?.ensembleAuc).toBeCloseTo(report.scorers.ensemble.auc, 12);
    expect(all.deviceBorderline?.n).toBe(9); // every clip has window scores
  });

  it('names the clip the ensemble cannot score (it needs 1 s) in one line', async () => {
    const short = await mkdtemp(join(tmpdir(), 'sc-eval-short-'));
    try {
      await generateDataset({
        outDir: short,
        seed: 3,
        machines: 1,
        clipsPerMachine: 2,
        testNormalPerMachine: 1,
        anomaliesPerFault: 1,
        durationS: 0.5,
        faults: ['bearing'],
      });
      const r = await run(['eval', '--data', short, '--ensemble', ENSEMBLE]);
      expect(r.code).toBe(1);
      const errLine = r.stderr.trim().split('\n').at(-1) ?? '';
      expect(errLine).toMatch(
        /^signalcraft: --ensemble cannot score \S+\.wav: clip is 0\.50 s; the ensemble needs at least 1 s; /,
      );
    } finally {
      await rm(short, { recursive: true, force: true });
    }
  });

  it('without an edge model the ensemble extras say why the band is missing', async () => {
    const extras = new EnsembleEval(await loadEnsemble(ENSEMBLE), evaluateEnsembleExtras);
    await evaluate({ dataDir: dir, scorers: [extras.scorer], onClipScored: extras.onClipScored });
    const s = await extras.finish('no edge model to compare with (give --model)');
    expect(s.borderline).toBeUndefined();
    expect(s.borderlineUnavailable).toMatch(/give --model/);
    expect(Object.keys(s.classifier?.perFault ?? {})).toHaveLength(FAULT_IDS.length);
    expect(formatEnsembleSection(s).join('\n')).toMatch(/borderline band: not computed \(no edge model .*--model\)/);
  });
});
