/**
 * Trains the ensemble from normal clips (unsupervised) and, when given, labelled fault clips
 * (the fault classifier and the choice of members, see calibration.ts). Calibration uses
 * out-of-fold scores: with 4 folds, each normal clip is scored by detectors trained on the other
 * three quarters (the edge network too, when a refitter is given), so the threshold reflects
 * unseen normal data; the detectors that ship are then trained on all normal clips.
 */
import { type Progress, silentProgress } from '../../../cli/progress.ts';
import { rocAuc } from '../../../edge-model/src/eval/metrics.ts';
import { combine, fitCombined, fitRobustZ, forwardSelection, MIN_SELECTION_GAIN, selectionWeights, toZ } from './calibration.ts';
import { FaultClassifier } from './classifier.ts';
import { trainAutoencoder } from './detectors/autoencoder-train.ts';
import { ClipStatsDetector } from './detectors/clip-stats.ts';
import { EdgeModelDetector } from './detectors/edge-model.ts';
import { IsolationForestDetector } from './detectors/iforest.ts';
import { MahalanobisDetector } from './detectors/mahalanobis.ts';
import { OneClassSvmDetector } from './detectors/ocsvm.ts';
import type { ClipView, Detector } from './detectors/types.ts';
import { analyzeClip, type ClipAnalysis, FEATURES, LEVEL_INVARIANT_INDICES } from './features.ts';
import { clipZ, fitStandardizer, standardize } from './linalg.ts';
import { TrainedEnsemble, validateClip, Z_LIMIT } from './model.ts';
import { mulberry32, permutation } from './rng.ts';

export interface LabelledPcm {
  readonly pcm: Float32Array;
  readonly label: string;
  /** Where it came from (error messages). */
  readonly source?: string;
}

export interface TrainOptions {
  readonly normal: readonly { pcm: Float32Array; source?: string }[];
  /** Labelled fault clips for the classifier (label = fault id). May be empty. */
  readonly faults?: readonly LabelledPcm[];
  readonly seed?: number;
  /** Smaller detectors for tests and smoke runs. */
  readonly quick?: boolean;
  readonly progress?: Progress;
  /**
   * The device's model as a fixed member (not re-trained: it was trained on the same normal
   * clips); see detectors/edge-model.ts.
   */
  readonly edgeModel?: EdgeModelDetector;
  /**
   * Re-trains the edge network on a fold's normal clips (`EdgeModelDetector.refitter`), so the
   * edge member is cross-fitted like the others. Without it the shipped network scores every
   * fold: its calibration then comes from clips it was trained on, which it scores too low.
   */
  readonly edgeModelRefit?: (clips: readonly Float32Array[], seed: number, quick?: boolean) => Promise<EdgeModelDetector>;
  /** Extra facts recorded in the model's `training` block. */
  readonly notes?: Record<string, unknown>;
}

export const MIN_NORMAL_CLIPS = 20;
/** Positions (in the detector input = level-invariant features) of the log-mel band features. */
const MEL_COLUMNS = LEVEL_INVARIANT_INDICES.flatMap((f, j) => (FEATURES[f].group === 'mel' ? [j] : []));
const OTHER_COLUMNS = LEVEL_INVARIANT_INDICES.flatMap((f, j) => (FEATURES[f].group !== 'mel' ? [j] : []));
const FOLDS = 4;
/** Fewer normal or fault clips than this in the device's overlap band: weights from all clips. */
export const MIN_BAND_CLIPS = 8;

export async function trainEnsemble(opts: TrainOptions): Promise<TrainedEnsemble> {
  const progress = opts.progress ?? silentProgress;
  const seed = opts.seed ?? 1;
  const quick = opts.quick ?? false;
  if (opts.normal.length < MIN_NORMAL_CLIPS) {
    throw new Error(
      `need at least ${MIN_NORMAL_CLIPS} normal clips to train and calibrate the ensemble (got ${opts.normal.length})`,
    );
  }
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, t0: number) => {
    timings[name] = Math.round(Date.now() - t0);
  };

  let t0 = Date.now();
  const analyses = analyzeAll(opts.normal, 'normal', progress);
  const faultAnalyses = analyzeAll(opts.faults ?? [], 'fault', progress);
  lap('featuresMs', t0);

  // Cross-fitting: every normal clip is scored by detectors that did not see it (4 folds), so
  // calibration uses held-out scores for all clips; the final detectors then train on all clips.
  const folds = Math.min(FOLDS, Math.floor(analyses.length / 5));
  const order = permutation(analyses.length, mulberry32(seed));
  const foldOf = new Int32Array(analyses.length);
  order.forEach((clip, rank) => {
    foldOf[clip] = rank % folds;
  });

  const standardizer = fitStandardizer(
    analyses.map((a) => a.features),
    LEVEL_INVARIANT_INDICES,
  );
  const view = (a: ClipAnalysis, pcm: Float32Array): ClipView => ({
    z: clipZ(standardize(standardizer, a.features), Z_LIMIT),
    logmel: a.logmel,
    frames: a.frames,
    pcm,
  });
  const views = analyses.map((a, i) => view(a, opts.normal[i].pcm));

  const aeOptions = {
    epochs: quick ? 3 : 8,
    hidden: quick ? 64 : 128,
    bottleneck: quick ? 16 : 24,
    maxWindows: quick ? 1500 : 4000,
  };
  const fitAll = async (idx: number[], fitSeed: number, final: boolean): Promise<Detector[]> => {
    const rows = idx.map((i) => views[i].z);
    const out: Detector[] = [];
    let t = Date.now();
    // Two views: the spectral envelope (log-mel bands) and everything else. Measured on the
    // development set, the two halves summed separate better than one distance over all 299.
    out.push(MahalanobisDetector.train(rows, { name: 'mahalanobis-mel', columns: MEL_COLUMNS }));
    out.push(MahalanobisDetector.train(rows, { name: 'mahalanobis-features', columns: OTHER_COLUMNS }));
    // The foundation's baseline (Mahalanobis on the edge front end's clip log-mel statistics):
    // on the synthetic sets the strongest single detector, so it must be a member.
    out.push(ClipStatsDetector.train(idx.map((i) => views[i])));
    timings.mahalanobisMs = (timings.mahalanobisMs ?? 0) + Date.now() - t;
    t = Date.now();
    out.push(IsolationForestDetector.train(rows, { trees: quick ? 50 : 150, seed: fitSeed, components: 8 }));
    timings.iforestMs = (timings.iforestMs ?? 0) + Date.now() - t;
    t = Date.now();
    // gamma 3/d, nu 0.1: chosen on a development dataset (synth seed 7), not the evaluation data.
    out.push(await OneClassSvmDetector.train(rows, { nu: 0.1, gamma: 3 / rows[0].length }));
    timings.ocsvmMs = (timings.ocsvmMs ?? 0) + Date.now() - t;
    t = Date.now();
    out.push(
      await trainAutoencoder(
        idx.map((i) => analyses[i]),
        { ...aeOptions, seed: fitSeed },
      ),
    );
    timings.autoencoderMs = (timings.autoencoderMs ?? 0) + Date.now() - t;
    if (opts.edgeModel) {
      t = Date.now();
      out.push(
        !final && opts.edgeModelRefit
          ? await opts.edgeModelRefit(
              idx.map((i) => opts.normal[i].pcm),
              fitSeed,
              quick,
            )
          : opts.edgeModel,
      );
      timings.edgeRefitMs = (timings.edgeRefitMs ?? 0) + Date.now() - t;
    }
    return out;
  };

  const oof: number[][] = [];
  // The device's own score of each held-out normal clip, by the fold's edge network.
  const oofDevice: number[] = [];
  // Fault clips are scored by every fold's detectors too (and averaged), so both sides of the
  // separation that sets the weights come from detectors of the same kind of fit.
  const faultViews = faultAnalyses.map((a, i) => view(a, (opts.faults ?? [])[i].pcm));
  const faultRaw: number[][][] = [];
  const faultDevice = faultViews.map(() => 0);
  for (let f = 0; f < folds; f++) {
    progress.log(
      `fold ${f + 1}/${folds}: training detectors on ${analyses.length - order.filter((_, r) => r % folds === f).length} clips`,
    );
    const trainIdx = analyses.map((_, i) => i).filter((i) => foldOf[i] !== f);
    const held = analyses.map((_, i) => i).filter((i) => foldOf[i] === f);
    const dets = await fitAll(trainIdx, seed + f + 1, false);
    for (const i of held) oof[i] = dets.map((d) => d.score(views[i]));
    faultRaw.push(faultViews.map((v) => dets.map((d) => d.score(v))));
    const edge = dets.find(isEdge);
    if (edge) {
      for (const i of held) oofDevice[i] = edge.deviceScore(opts.normal[i].pcm);
      faultViews.forEach((v, j) => {
        faultDevice[j] += edge.deviceScore(v.pcm as Float32Array) / folds;
      });
    }
  }
  progress.log(`final detectors on all ${analyses.length} normal clips`);
  const detectors = await fitAll(
    analyses.map((_, i) => i),
    seed,
    true,
  );
  const calibrated = detectors.map((detector, k) => ({
    detector,
    calibration: fitRobustZ(
      detector.transform,
      oof.map((s) => s[k]),
    ),
  }));
  const oofZ = oof.map((s) => calibrated.map((d, k) => toZ(d.calibration, s[k])));
  // The members: forward selection on how well the mean z separates held-out normals from the
  // labelled fault clips (every detector without them), see calibration.ts.
  const faultZ = faultViews.map((_, j) =>
    calibrated.map((d, k) => faultRaw.reduce((acc, fold) => acc + toZ(d.calibration, fold[j][k]), 0) / folds),
  );
  // The clips that count are the ones the device is unsure about (what it uploads): with an edge
  // member, weights come from the band where the device's own scores of held-out normal clips
  // and fault clips overlap, if it holds enough of both.
  const band = detectors.some(isEdge) && faultViews.length ? deviceOverlapBand(oofDevice, faultDevice) : null;
  const inBand = band && band.normal.length >= MIN_BAND_CLIPS && band.fault.length >= MIN_BAND_CLIPS ? band : null;
  const nIdx = inBand ? inBand.normal : oofZ.map((_, i) => i);
  const fIdx = inBand ? inBand.fault : faultZ.map((_, i) => i);
  const separation = (members: readonly number[]) => {
    const mean = (z: readonly number[]) => members.reduce((a, k) => a + z[k], 0) / members.length;
    return rocAuc(
      [...nIdx.map((i) => mean(oofZ[i])), ...fIdx.map((i) => mean(faultZ[i]))],
      [...nIdx.map(() => false), ...fIdx.map(() => true)],
    );
  };
  const selection = forwardSelection(calibrated.length, faultZ.length ? separation : undefined);
  const weights = selectionWeights(calibrated.length, selection);
  const detectorAuc: Record<string, number> = {};
  if (faultZ.length) for (const [k, d] of calibrated.entries()) detectorAuc[d.detector.name] = separation([k]);
  const stats = oofZ.map((z) => combine(z, weights));
  const combined = fitCombined(stats, weights);

  let classifier: FaultClassifier | null = null;
  const faultCounts: Record<string, number> = {};
  for (const f of opts.faults ?? []) faultCounts[f.label] = (faultCounts[f.label] ?? 0) + 1;
  if (Object.keys(faultCounts).length >= 2) {
    t0 = Date.now();
    classifier = await FaultClassifier.train(
      faultViews.map((v) => v.z),
      (opts.faults ?? []).map((f) => f.label),
      { trees: quick ? 20 : 100, seed },
    );
    lap('classifierMs', t0);
  } else if (opts.faults?.length) {
    progress.log('fault classifier skipped: labelled clips of at least two fault types are needed');
  }
  timings.totalMs = Date.now() - started;

  return new TrainedEnsemble(
    standardizer,
    calibrated,
    combined,
    classifier,
    {
      seed,
      quick,
      normalClips: analyses.length,
      crossFitFolds: folds,
      autoencoder: aeOptions,
      faultClips: faultCounts,
      detectorAucOnLabelledFaults: detectorAuc,
      weightsFrom: inBand
        ? {
            clips: "the device's overlap band",
            band: [band?.low, band?.high],
            normal: inBand.normal.length,
            fault: inBand.fault.length,
          }
        : { clips: 'all', ...(band ? { bandTooSmall: { normal: band.normal.length, fault: band.fault.length } } : {}) },
      edgeCrossFitted: Boolean(opts.edgeModel && opts.edgeModelRefit),
      selection: selection.members.map((k, i) => ({
        add: calibrated[k].detector.name,
        auc: selection.aucs[i] ?? null,
      })),
      combinationRule: `mean z of the members chosen by forward selection (each must raise the separation AUC by ≥ ${MIN_SELECTION_GAIN})`,
      edgeModel: opts.edgeModel ? { sha256: opts.edgeModel.sha256 } : null,
      features: LEVEL_INVARIANT_INDICES.length,
      timings,
      ...opts.notes,
    },
    new Date().toISOString(),
  );
}

function isEdge(d: Detector): d is EdgeModelDetector {
  return d instanceof EdgeModelDetector;
}

/**
 * Where the device's scores of normal clips and fault clips overlap: from the lowest fault score
 * to the highest normal score. Returns the indices of the normal and fault clips inside it.
 */
export function deviceOverlapBand(
  normal: readonly number[],
  fault: readonly number[],
): { low: number; high: number; normal: number[]; fault: number[] } | null {
  const n = normal.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
  const f = fault.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
  if (n.length === 0 || f.length === 0) return null;
  const low = Math.min(...f.map(([v]) => v));
  const high = Math.max(...n.map(([v]) => v));
  if (!(low <= high)) return null;
  return {
    low,
    high,
    normal: n.filter(([v]) => v >= low).map(([, i]) => i),
    fault: f.filter(([v]) => v <= high).map(([, i]) => i),
  };
}

function analyzeAll(clips: readonly { pcm: Float32Array; source?: string }[], what: string, progress: Progress): ClipAnalysis[] {
  return clips.map((c, i) => {
    try {
      validateClip(c.pcm, { maxSeconds: 600 });
      const a = analyzeClip(c.pcm);
      progress.update(i + 1, clips.length, `${what} clip features`);
      return a;
    } catch (err) {
      throw new Error(`${what} clip ${c.source ?? `#${i}`}: ${(err as Error).message}`);
    }
  });
}
