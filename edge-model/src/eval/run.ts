/**
 * Contract B's evaluation: fit the baseline on train/normal, score every test clip with every
 * scorer, and report AUC and pAUC overall and per fault type (each fault's anomalies against all
 * test normals, DCASE-style). Clips are streamed one at a time, so dataset size is bounded by
 * disk, not memory.
 */
import type { Progress } from '../../../cli/progress.ts';
import { silentProgress } from '../../../cli/progress.ts';
import { type DatasetEntry, DatasetError, listSplit, tryReadClip } from '../dataset/load.ts';
import type { ScoreAgreement } from './agreement.ts';
import { type BaselineModel, baselineScorer, clipStatistics, fitBaseline } from './baseline.ts';
import { partialAuc, rocAuc } from './metrics.ts';
import type { Clip, Scorer } from './types.ts';

export interface FaultResult {
  readonly auc: number;
  readonly pauc: number;
  /** Anomalous clips of this fault (compared against all test normals). */
  readonly n: number;
}

export interface ScorerResult {
  readonly auc: number;
  readonly pauc: number;
  readonly perFault: Record<string, FaultResult>;
}

export interface EvalReport {
  readonly data: string;
  readonly clips: { readonly train: number; readonly test: number };
  readonly scorers: Record<string, ScorerResult>;
  readonly extras?: {
    readonly skipped: { path: string; reason: string }[];
    readonly baseline: { dims: number; nTrain: number; shrinkage: number };
    /** Per machine (DCASE reports per machine/section): AUC and pAUC of each scorer. */
    readonly perMachine: Record<string, Record<string, FaultResult>>;
    /** DCASE's official summary: harmonic means of the per-machine AUC and pAUC (null without machines). */
    readonly machineHarmonicMean: Record<string, { auc: number; pauc: number } | null>;
    readonly testCounts: { normal: number; anomaly: number };
    /**
     * With the edge model's two scorers ("edge-float" and "edge-int8"): how closely the int8
     * export's clip scores follow the float network's.
     */
    readonly edge?: ScoreAgreement;
  };
}

export interface LabelledScore {
  readonly label: 'normal' | 'anomaly';
  readonly fault?: string;
  readonly machine?: string;
}

function result(scores: number[], labels: boolean[]): FaultResult {
  return { auc: rocAuc(scores, labels), pauc: partialAuc(scores, labels, 0.1), n: labels.filter(Boolean).length };
}

/** AUC/pAUC overall and per named fault, from scores aligned with `test`. */
export function summarize(scores: readonly number[], test: readonly LabelledScore[]): ScorerResult {
  const labels = test.map((t) => t.label === 'anomaly');
  const overall = result([...scores], labels);
  const perFault: Record<string, FaultResult> = {};
  const faults = [...new Set(test.filter((t) => t.label === 'anomaly' && t.fault).map((t) => t.fault as string))].sort();
  for (const f of faults) {
    const idx = test.map((t, i) => (t.label === 'normal' || t.fault === f ? i : -1)).filter((i) => i >= 0);
    perFault[f] = result(
      idx.map((i) => scores[i]),
      idx.map((i) => labels[i]),
    );
  }
  return { auc: overall.auc, pauc: overall.pauc, perFault };
}

/** Harmonic mean (DCASE's way to summarise machines: one bad machine drags the score down). */
export function harmonicMean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('harmonic mean of no values');
  if (values.some((v) => v <= 0)) return 0;
  return values.length / values.reduce((a, v) => a + 1 / v, 0);
}

function perMachine(scores: readonly number[], test: readonly LabelledScore[]): Record<string, FaultResult> {
  const out: Record<string, FaultResult> = {};
  const machines = [...new Set(test.map((t) => t.machine).filter((m): m is string => Boolean(m)))].sort();
  for (const m of machines) {
    const idx = test.map((t, i) => (t.machine === m ? i : -1)).filter((i) => i >= 0);
    const labels = idx.map((i) => test[i].label === 'anomaly');
    if (!labels.includes(true) || !labels.includes(false)) continue;
    out[m] = result(
      idx.map((i) => scores[i]),
      labels,
    );
  }
  return out;
}

export interface EvaluateOptions {
  readonly dataDir: string;
  /** Scorers besides the baseline (edge model, ensemble), already loaded. */
  readonly scorers?: readonly Scorer[];
  readonly strict?: boolean;
  readonly onSkip?: (path: string, reason: string) => void;
  readonly progress?: Progress;
  /**
   * Called once per scored test clip with every scorer's score, so callers can derive more
   * figures (e.g. the ensemble extras) without reading or scoring the dataset again.
   */
  readonly onClipScored?: (clip: Clip, scores: Readonly<Record<string, number>>) => void | Promise<void>;
}

/** Fits the baseline on the normal clips of `entries`. */
export async function fitBaselineOn(
  entries: readonly DatasetEntry[],
  opts: Pick<EvaluateOptions, 'strict' | 'onSkip' | 'progress'> = {},
): Promise<BaselineModel> {
  const progress = opts.progress ?? silentProgress;
  const feats: Float64Array[] = [];
  for (let i = 0; i < entries.length; i++) {
    const clip = await tryReadClip(entries[i], opts);
    if (clip && clip.label === 'normal') feats.push(clipStatistics(clip.pcm));
    progress.update(i + 1, entries.length, 'fitting baseline');
  }
  if (feats.length < 2) throw new DatasetError(`need at least 2 readable normal training clips (got ${feats.length})`);
  return fitBaseline(feats);
}

export async function evaluate(opts: EvaluateOptions): Promise<EvalReport> {
  const progress = opts.progress ?? silentProgress;
  const skipped: { path: string; reason: string }[] = [];
  const loadOpts = {
    strict: opts.strict,
    onSkip: (path: string, reason: string) => {
      skipped.push({ path, reason });
      opts.onSkip?.(path, reason);
    },
  };
  const split = await listSplit(opts.dataDir, loadOpts);
  const model = await fitBaselineOn(split.train, { ...loadOpts, progress });
  const scorers: Scorer[] = [baselineScorer(model), ...(opts.scorers ?? [])];
  const names = new Set<string>();
  for (const s of scorers) {
    if (names.has(s.name)) throw new DatasetError(`two scorers are both named "${s.name}"`);
    names.add(s.name);
  }

  const scores: number[][] = scorers.map(() => []);
  const scored: LabelledScore[] = [];
  for (let i = 0; i < split.test.length; i++) {
    const clip = await tryReadClip(split.test[i], loadOpts);
    if (clip) {
      for (let k = 0; k < scorers.length; k++) {
        const s = await scorers[k].scoreClip(clip);
        if (typeof s !== 'number' || !Number.isFinite(s)) {
          throw new Error(`scorer "${scorers[k].name}" returned ${s} for ${clip.path}; scores must be finite numbers`);
        }
        scores[k].push(s);
      }
      scored.push({ label: clip.label, fault: clip.fault, machine: clip.machine });
      if (opts.onClipScored)
        await opts.onClipScored(clip, Object.fromEntries(scorers.map((s, k) => [s.name, scores[k].at(-1) as number])));
    }
    progress.update(i + 1, split.test.length, 'scoring test clips');
  }
  const nNormal = scored.filter((t) => t.label === 'normal').length;
  if (nNormal === 0 || nNormal === scored.length) {
    throw new DatasetError(`after skipping unreadable files, ${opts.dataDir}/test needs both normal and anomalous clips`);
  }
  const out: Record<string, ScorerResult> = {};
  const machines: Record<string, Record<string, FaultResult>> = {};
  const hmean: Record<string, { auc: number; pauc: number } | null> = {};
  scorers.forEach((s, k) => {
    out[s.name] = summarize(scores[k], scored);
    machines[s.name] = perMachine(scores[k], scored);
    const per = Object.values(machines[s.name]);
    hmean[s.name] = per.length ? { auc: harmonicMean(per.map((r) => r.auc)), pauc: harmonicMean(per.map((r) => r.pauc)) } : null;
  });
  const floatAt = scorers.findIndex((s) => s.name === 'edge-float');
  const int8At = scorers.findIndex((s) => s.name === 'edge-int8');
  // Imported only when needed: it pulls in the exporter, which a baseline-only run does not use.
  const edge =
    floatAt >= 0 && int8At >= 0
      ? (await import('./agreement.ts')).scoreAgreement(
          { name: 'edge-float', scores: scores[floatAt] },
          { name: 'edge-int8', scores: scores[int8At] },
        )
      : undefined;
  return {
    data: opts.dataDir,
    clips: { train: model.nTrain, test: scored.length },
    scorers: out,
    extras: {
      skipped,
      baseline: { dims: model.dims, nTrain: model.nTrain, shrinkage: model.shrinkage },
      perMachine: machines,
      machineHarmonicMean: hmean,
      testCounts: { normal: nNormal, anomaly: scored.length - nNormal },
      ...(edge ? { edge } : {}),
    },
  };
}
