/**
 * The ensemble's evaluation beyond plain AUC (for `eval --json` extras, train-ensemble's
 * metrics.json and the README): cloud-state confusion, fault-classifier accuracy per fault
 * type on held-out anomalous clips, and, given the edge model's scores and its card's
 * borderline band, AUC of both on exactly the clips the device would have been unsure about.
 */
import { rocAuc } from '../../../edge-model/src/eval/metrics.ts';
import { type ScorerResult, summarize } from '../../../edge-model/src/eval/run.ts';
import type { Clip } from '../../../edge-model/src/eval/types.ts';
import type { ClipAssessment, TrainedEnsemble } from './model.ts';

export interface EdgeComparison {
  /** Edge-model scores aligned with the clips (e.g. from the "edge-int8" scorer). */
  readonly scores: readonly number[];
  /** The card's borderline band [borderlineLow, borderlineHigh] on the edge score. */
  readonly borderlineLow: number;
  readonly borderlineHigh: number;
  readonly name?: string;
  /** The edge model's window scores per clip (what the device thresholds), when available. */
  readonly windows?: readonly (readonly number[])[];
}

export interface EnsembleExtras {
  readonly ensemble: ScorerResult;
  /** Cloud state counts per true label. */
  readonly states: Record<'normal' | 'anomaly', Record<'normal' | 'borderline' | 'anomalous', number>>;
  readonly classifier: {
    readonly accuracy: number;
    readonly perFault: Record<string, { n: number; correct: number; accuracy: number; confusedWith: Record<string, number> }>;
  } | null;
  readonly edge?: { name: string; auc: number };
  /** AUC of edge and ensemble on the clips whose edge score lies in the card's borderline band. */
  readonly borderline?: BandResult;
  /**
   * The same on the band where the edge model's scores of normal and anomalous clips overlap
   * (lowest anomalous to highest normal edge score): every clip the edge model could misjudge.
   */
  readonly overlap?: BandResult;
  /**
   * Clips the device would upload as borderline: at least one edge WINDOW score inside the
   * card's borderline band (the device thresholds windows, not clips).
   */
  readonly deviceBorderline?: BandResult;
}

export interface BandResult {
  readonly band: [number, number];
  readonly n: number;
  readonly normal: number;
  readonly anomaly: number;
  /** null when the band lacks one of the two classes (AUC undefined). */
  readonly edgeAuc: number | null;
  readonly ensembleAuc: number | null;
}

function band(
  lo: number,
  hi: number,
  edgeScores: readonly number[],
  ensScores: readonly number[],
  labels: readonly boolean[],
  select: (i: number) => boolean = (i) => edgeScores[i] >= lo && edgeScores[i] <= hi,
): BandResult {
  const idx = edgeScores.map((_, i) => (select(i) ? i : -1)).filter((i) => i >= 0);
  const bLabels = idx.map((i) => labels[i]);
  return {
    band: [lo, hi],
    n: idx.length,
    normal: bLabels.filter((l) => !l).length,
    anomaly: bLabels.filter(Boolean).length,
    edgeAuc: safeAuc(
      idx.map((i) => edgeScores[i]),
      bLabels,
    ),
    ensembleAuc: safeAuc(
      idx.map((i) => ensScores[i]),
      bLabels,
    ),
  };
}

function safeAuc(scores: number[], labels: boolean[]): number | null {
  return labels.includes(true) && labels.includes(false) ? rocAuc(scores, labels) : null;
}

export async function evaluateEnsembleExtras(
  ensemble: TrainedEnsemble,
  clips: readonly Clip[],
  edge?: EdgeComparison,
  /**
   * The ensemble's assessments of `clips`, aligned, when the caller already made them (`eval`
   * scores every clip once while streaming the dataset); the clips' PCM is then not read.
   */
  assessments?: readonly Pick<ClipAssessment, 'verdict' | 'faultPrediction'>[],
): Promise<EnsembleExtras> {
  if (edge && edge.scores.length !== clips.length)
    throw new Error(`edge scores (${edge.scores.length}) must align with clips (${clips.length})`);
  if (assessments && assessments.length !== clips.length)
    throw new Error(`assessments (${assessments.length}) must align with clips (${clips.length})`);
  const scores: number[] = [];
  const states: EnsembleExtras['states'] = {
    normal: { normal: 0, borderline: 0, anomalous: 0 },
    anomaly: { normal: 0, borderline: 0, anomalous: 0 },
  };
  const perFault: Record<string, { n: number; correct: number; accuracy: number; confusedWith: Record<string, number> }> = {};
  let correct = 0;
  let judged = 0;
  for (const [i, clip] of clips.entries()) {
    const a = assessments?.[i] ?? ensemble.assess(clip.pcm, { maxSeconds: 600 });
    scores.push(a.verdict.score);
    states[clip.label][a.verdict.state]++;
    if (clip.label === 'anomaly' && clip.fault && a.faultPrediction) {
      perFault[clip.fault] ??= { n: 0, correct: 0, accuracy: 0, confusedWith: {} };
      const f = perFault[clip.fault];
      f.n++;
      judged++;
      if (a.faultPrediction.type === clip.fault) {
        f.correct++;
        correct++;
      } else {
        f.confusedWith[a.faultPrediction.type] = (f.confusedWith[a.faultPrediction.type] ?? 0) + 1;
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  for (const f of Object.values(perFault)) f.accuracy = f.correct / f.n;
  const labels = clips.map((c) => c.label === 'anomaly');
  const result: EnsembleExtras = {
    ensemble: summarize(scores, clips),
    states,
    classifier: ensemble.classifier && judged ? { accuracy: correct / judged, perFault } : null,
  };
  if (!edge) return result;
  const normalEdge = edge.scores.filter((_, i) => !labels[i]);
  const anomalyEdge = edge.scores.filter((_, i) => labels[i]);
  return {
    ...result,
    edge: { name: edge.name ?? 'edge', auc: rocAuc([...edge.scores], labels) },
    borderline: band(edge.borderlineLow, edge.borderlineHigh, edge.scores, scores, labels),
    overlap: band(Math.min(...anomalyEdge), Math.max(...normalEdge), edge.scores, scores, labels),
    ...(edge.windows
      ? {
          deviceBorderline: band(edge.borderlineLow, edge.borderlineHigh, edge.scores, scores, labels, (i) =>
            (edge.windows?.[i] ?? []).some((w) => w >= edge.borderlineLow && w <= edge.borderlineHigh),
          ),
        }
      : {}),
  };
}
