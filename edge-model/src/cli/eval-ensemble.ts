/**
 * `eval --ensemble`: the ensemble's figures beyond AUC (cloud states, fault-classifier accuracy
 * per fault type, and ensemble vs edge model on the clips in the edge card's borderline band),
 * computed by the cloud's `evaluateEnsembleExtras` from the same single pass over the dataset that
 * gives the AUC table: the ensemble scorer keeps each clip's assessment, the edge-int8 scorer its
 * window scores, and only labels (no PCM) are kept per clip.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../../../cli/errors.ts';
import type { EdgeComparison, EnsembleExtras } from '../../../cloud/src/ensemble/extras.ts';
import type { ClipAssessment, TrainedEnsemble } from '../../../cloud/src/ensemble/model.ts';
import { readCard } from '../../export/card.ts';
import type { EvalReport } from '../eval/run.ts';
import type { Clip, Scorer } from '../eval/types.ts';

type Assessment = Pick<ClipAssessment, 'verdict' | 'faultPrediction'>;

export type EvaluateExtras = (
  ensemble: TrainedEnsemble,
  clips: readonly Clip[],
  edge?: EdgeComparison,
  assessments?: readonly Assessment[],
) => Promise<EnsembleExtras>;

/** The edge card's borderline band (the device uploads a clip when a window score falls in it). */
export interface BorderlineBand {
  readonly low: number;
  readonly high: number;
  /** The card it came from. */
  readonly source: string;
}

export interface EnsembleSection extends EnsembleExtras {
  readonly borderlineBand?: BorderlineBand;
  /** Why the borderline sections are missing (no --model, or a model folder without a card). */
  readonly borderlineUnavailable?: string;
}

export type EvalReportWithEnsemble = EvalReport & {
  readonly extras?: NonNullable<EvalReport['extras']> & { readonly ensemble?: EnsembleSection };
};

/** The edge scorer the band is defined on; `scoreClipDetailed` gives the window scores too. */
export interface DetailedScorer extends Scorer {
  scoreClipDetailed?(clip: Pick<Clip, 'pcm'>): { score: number; windows: number[] };
}

/** Scored clips keep their labels only; `evaluateEnsembleExtras` does not read PCM when given assessments. */
const NO_PCM = new Float32Array(0);

/** Reads the borderline band from `modelDir/card.json`, or says why there is none. */
export async function readBorderlineBand(modelDir: string): Promise<BorderlineBand | string> {
  const path = join(modelDir, 'card.json');
  if (!existsSync(path)) return `${modelDir} has no card.json (a training folder); export the model for its borderline band`;
  const { thresholds } = await readCard(path);
  return { low: thresholds.borderlineLow, high: thresholds.borderlineHigh, source: path };
}

export class EnsembleEval {
  private readonly pending = new Map<Clip, { assessment?: Assessment; windows?: number[] }>();
  private readonly clips: Clip[] = [];
  private readonly assessments: Assessment[] = [];
  private readonly edgeScores: number[] = [];
  private readonly edgeWindows: number[][] = [];
  private edgeName: string | undefined;

  constructor(
    private readonly ensemble: TrainedEnsemble,
    private readonly evaluateExtras: EvaluateExtras,
  ) {}

  /** The "ensemble" scorer: the calibrated score `loadEnsembleScorer` gives, keeping the assessment. */
  readonly scorer: Scorer = {
    name: 'ensemble',
    scoreClip: (clip) => {
      let a: ClipAssessment;
      try {
        // Dataset clips may be longer than the device's 10 s clip limit.
        a = this.ensemble.assess(clip.pcm, { maxSeconds: 600 });
      } catch (err) {
        // Matched by name: the cloud module is imported only when --ensemble is given.
        if (err instanceof Error && err.name === 'EnsembleInputError') {
          throw new CliError(`--ensemble cannot score ${clip.path}: ${err.message}; evaluate the ensemble on clips it accepts`);
        }
        throw err;
      }
      this.entry(clip).assessment = { verdict: a.verdict, faultPrediction: a.faultPrediction };
      return a.verdict.score;
    },
  };

  /** Wraps the edge scorer whose scores the band applies to (edge-int8: what the device computes). */
  trackEdge(edge: DetailedScorer): Scorer {
    this.edgeName = edge.name;
    const detailed = edge.scoreClipDetailed?.bind(edge);
    if (!detailed) return edge;
    return {
      name: edge.name,
      scoreClip: (clip) => {
        const d = detailed(clip);
        this.entry(clip).windows = d.windows;
        return d.score;
      },
    };
  }

  /** For `evaluate({onClipScored})`: files the clip's labels, assessment and edge scores. */
  readonly onClipScored = (clip: Clip, scores: Readonly<Record<string, number>>): void => {
    const e = this.pending.get(clip);
    this.pending.delete(clip);
    if (!e?.assessment) throw new Error(`the ensemble did not score ${clip.path}`);
    this.clips.push({ path: clip.path, label: clip.label, fault: clip.fault, machine: clip.machine, pcm: NO_PCM });
    this.assessments.push(e.assessment);
    if (this.edgeName !== undefined) {
      this.edgeScores.push(scores[this.edgeName]);
      if (e.windows) this.edgeWindows.push(e.windows);
    }
  };

  /** The extras over every clip scored so far; the band sections need `band` and a tracked edge scorer. */
  async finish(band: BorderlineBand | string): Promise<EnsembleSection> {
    if (this.edgeName === undefined || typeof band === 'string') {
      const why = typeof band === 'string' ? band : 'no edge model scores (give --model)';
      return {
        ...(await this.evaluateExtras(this.ensemble, this.clips, undefined, this.assessments)),
        borderlineUnavailable: why,
      };
    }
    const edge: EdgeComparison = {
      scores: this.edgeScores,
      borderlineLow: band.low,
      borderlineHigh: band.high,
      name: this.edgeName,
      windows: this.edgeWindows.length === this.clips.length ? this.edgeWindows : undefined,
    };
    return { ...(await this.evaluateExtras(this.ensemble, this.clips, edge, this.assessments)), borderlineBand: band };
  }

  private entry(clip: Clip): { assessment?: Assessment; windows?: number[] } {
    let e = this.pending.get(clip);
    if (!e) {
      e = {};
      this.pending.set(clip, e);
    }
    return e;
  }
}

const f3 = (x: number) => x.toFixed(3);

type Band = NonNullable<EnsembleExtras['borderline']>;

function bandLine(what: string, b: Band, edgeName: string): string {
  const head = `    ${what} [${f3(b.band[0])}, ${f3(b.band[1])}]: n=${b.n}`;
  if (b.n === 0) return `${head}: no clip falls in this band, so there is no AUC to compare`;
  const counts = `${head} (${b.normal} normal, ${b.anomaly} anomalous)`;
  if (b.edgeAuc === null || b.ensembleAuc === null) return `${counts}: one class only, AUC undefined`;
  return `${counts}: ${edgeName} AUC ${f3(b.edgeAuc)}, ensemble AUC ${f3(b.ensembleAuc)}`;
}

/** The table's ensemble section. */
export function formatEnsembleSection(s: EnsembleSection): string[] {
  const lines = ['', 'ensemble extras'];
  const edgeName = s.edge?.name ?? 'edge';
  if (s.borderline) {
    lines.push(`  borderline band from ${s.borderlineBand?.source ?? 'the edge card'} (${edgeName} scores):`);
    if (s.deviceBorderline)
      lines.push(bandLine('clips with an edge window in the band (device uploads)', s.deviceBorderline, edgeName));
    lines.push(bandLine('clips whose edge clip score is in the band', s.borderline, edgeName));
    if (s.overlap) lines.push(bandLine('edge overlap band (lowest anomalous..highest normal)', s.overlap, edgeName));
  } else {
    lines.push(`  borderline band: not computed (${s.borderlineUnavailable ?? 'no edge model'})`);
  }
  const st = s.states;
  lines.push(
    `  cloud states: normal clips ${st.normal.normal} normal/${st.normal.borderline} borderline/${st.normal.anomalous} anomalous; ` +
      `anomalous clips ${st.anomaly.normal}/${st.anomaly.borderline}/${st.anomaly.anomalous}`,
  );
  if (!s.classifier) {
    lines.push('  fault classifier: none in this ensemble (or no labelled fault clips)');
  } else {
    const per = Object.entries(s.classifier.perFault)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([f, r]) => `${f} ${f3(r.accuracy)} (${r.correct}/${r.n})`);
    lines.push(`  fault classifier accuracy ${f3(s.classifier.accuracy)}: ${per.join(', ')}`);
  }
  return lines;
}
