/**
 * The trained ensemble: features → standardise → four detectors → robust-z calibration → mean →
 * calibrated score and state, plus the fault classifier and the explanation. Serialises to one
 * JSON file (`ensemble.json`); the version is "<semver>+<sha256 prefix of the content>" so every
 * stored cloud verdict names exactly which model produced it.
 */
import { createHash } from 'node:crypto';
import {
  BORDERLINE_LOW,
  type CloudState,
  type CombinedCalibration,
  calibratedScore,
  combine,
  type RobustZ,
  stateOf,
  toZ,
} from './calibration.ts';
import { FaultClassifier, type FaultClassifierJson, type FaultPrediction } from './classifier.ts';
import { AutoencoderDetector, type AutoencoderJson } from './detectors/autoencoder.ts';
import { ClipStatsDetector, type ClipStatsJson } from './detectors/clip-stats.ts';
import { EdgeModelDetector, type EdgeModelJson } from './detectors/edge-model.ts';
import { IsolationForestDetector, type IsolationForestJson } from './detectors/iforest.ts';
import { MahalanobisDetector, type MahalanobisJson } from './detectors/mahalanobis.ts';
import { OneClassSvmDetector, type OneClassSvmJson } from './detectors/ocsvm.ts';
import type { ClipView, Detector } from './detectors/types.ts';
import { analyzeClip, FEATURE_NAMES, FEATURE_SAMPLE_RATE, FEATURES, FeatureError, MIN_SAMPLES } from './features.ts';
import { base64ToF64, clipZ, f64ToBase64, type Standardizer, standardize } from './linalg.ts';

export const ENSEMBLE_SCHEMA = 'signalcraft.ensemble/1';
export const ENSEMBLE_SEMVER = '1.0.0';
/** Longest clip `rescore` accepts by default: the device protocol's clip limit (contract E). */
export const MAX_CLIP_SECONDS = 10;
/** z-scores fed to detectors are clipped to ±Z_LIMIT so one broken feature cannot dominate. */
export const Z_LIMIT = 10;

export interface Explanation {
  readonly feature: string;
  readonly value: number;
  readonly z: number;
  readonly direction: 'high' | 'low';
  /** What the feature measures (extension of contract G, for the dashboard). */
  readonly description: string;
}

/** Contract G. */
export interface CloudVerdict {
  readonly version: string;
  /** Calibrated, 0..∞, 1 = threshold. */
  readonly score: number;
  readonly state: CloudState;
  readonly fault: { type: string; confidence: number } | null;
  /** The five features furthest from normal, in robust-z terms. */
  readonly explanation: Explanation[];
  /** Per-detector z-score against held-out normal clips (0 = typical normal). */
  readonly detectors: Record<string, number>;
}

export interface Ensemble {
  readonly version: string;
  rescore(pcm: Float32Array, opts?: RescoreOptions): CloudVerdict;
}

export interface RescoreOptions {
  /** Sample rate of `pcm`, when the caller knows it; anything but 16000 is rejected. */
  readonly sampleRate?: number;
  /** Override the 10 s limit (evaluation on long dataset clips). */
  readonly maxSeconds?: number;
}

/** Input the ensemble cannot score; `code` maps to the HTTP error code (422). */
export class EnsembleInputError extends Error {
  constructor(
    readonly code: 'empty' | 'too-short' | 'too-long' | 'wrong-rate' | 'corrupt' | 'silent' | 'not-pcm',
    message: string,
  ) {
    super(message);
    this.name = 'EnsembleInputError';
  }
}

type DetectorJson = MahalanobisJson | IsolationForestJson | OneClassSvmJson | AutoencoderJson | ClipStatsJson | EdgeModelJson;

export interface EnsembleJson {
  schema: typeof ENSEMBLE_SCHEMA;
  version: string;
  createdAt: string;
  featureNames: string[];
  standardizer: { indices: number[]; mean: string; scale: string };
  detectors: { model: DetectorJson; calibration: RobustZ }[];
  combined: CombinedCalibration;
  classifier: FaultClassifierJson | null;
  training: Record<string, unknown>;
}

/** Everything the ensemble computes for a clip (rescore returns the contract subset). */
export interface ClipAssessment {
  readonly verdict: CloudVerdict;
  /** The combined statistic (mean detector z), before the 2^x mapping. */
  readonly statistic: number;
  /** The classifier's opinion regardless of state (null without a classifier). */
  readonly faultPrediction: FaultPrediction | null;
}

export class TrainedEnsemble implements Ensemble {
  readonly version: string;
  constructor(
    readonly standardizer: Standardizer,
    readonly detectors: readonly { detector: Detector; calibration: RobustZ }[],
    readonly combined: CombinedCalibration,
    readonly classifier: FaultClassifier | null,
    readonly training: Record<string, unknown>,
    readonly createdAt: string,
    version?: string,
  ) {
    this.version = version ?? contentVersion(this.body());
  }

  rescore(pcm: Float32Array, opts: RescoreOptions = {}): CloudVerdict {
    return this.assess(pcm, opts).verdict;
  }

  assess(pcm: Float32Array, opts: RescoreOptions = {}): ClipAssessment {
    validateClip(pcm, opts);
    let analysis: ReturnType<typeof analyzeClip>;
    try {
      analysis = analyzeClip(pcm);
    } catch (err) {
      if (err instanceof FeatureError) throw new EnsembleInputError('corrupt', err.message);
      throw err;
    }
    const zRaw = standardize(this.standardizer, analysis.features);
    const view: ClipView = { z: clipZ(zRaw, Z_LIMIT), logmel: analysis.logmel, frames: analysis.frames, pcm };
    const perDetector: Record<string, number> = {};
    const zs: number[] = [];
    for (const { detector, calibration } of this.detectors) {
      const z = toZ(calibration, detector.score(view));
      perDetector[detector.name] = z;
      zs.push(z);
    }
    const statistic = combine(zs, this.combined.weights);
    const score = calibratedScore(this.combined, statistic);
    const state = stateOf(score);
    const faultPrediction = this.classifier ? this.classifier.predict(view.z) : null;
    const fault =
      state !== 'normal' && faultPrediction ? { type: faultPrediction.type, confidence: faultPrediction.confidence } : null;
    return {
      verdict: {
        version: this.version,
        score,
        state,
        fault,
        explanation: explain(this.standardizer, analysis.features, zRaw),
        detectors: perDetector,
      },
      statistic,
      faultPrediction,
    };
  }

  private body(): Omit<EnsembleJson, 'version'> {
    return {
      schema: ENSEMBLE_SCHEMA,
      createdAt: this.createdAt,
      featureNames: [...FEATURE_NAMES],
      standardizer: {
        indices: [...this.standardizer.indices],
        mean: f64ToBase64(this.standardizer.mean),
        scale: f64ToBase64(this.standardizer.scale),
      },
      detectors: this.detectors.map((d) => ({ model: d.detector.toJSON() as DetectorJson, calibration: d.calibration })),
      combined: this.combined,
      classifier: this.classifier ? this.classifier.toJSON() : null,
      training: this.training,
    };
  }

  toJSON(): EnsembleJson {
    const body = this.body();
    return { ...body, version: this.version };
  }

  static async fromJSON(j: EnsembleJson): Promise<TrainedEnsemble> {
    if (j?.schema !== ENSEMBLE_SCHEMA)
      throw new Error(`not an ensemble model (schema ${JSON.stringify(j?.schema)}, expected ${ENSEMBLE_SCHEMA})`);
    if (j.featureNames.length !== FEATURE_NAMES.length || j.featureNames.some((n, i) => n !== FEATURE_NAMES[i])) {
      throw new Error(
        'the ensemble was trained with a different feature set than this build computes; retrain it with signalcraft train-ensemble',
      );
    }
    const standardizer: Standardizer = {
      indices: j.standardizer.indices,
      mean: base64ToF64(j.standardizer.mean),
      scale: base64ToF64(j.standardizer.scale),
    };
    const detectors = j.detectors.map(({ model, calibration }) => ({ detector: detectorFromJSON(model), calibration }));
    const classifier = j.classifier ? await FaultClassifier.fromJSON(j.classifier) : null;
    const e = new TrainedEnsemble(standardizer, detectors, j.combined, classifier, j.training, j.createdAt, j.version);
    const expected = contentVersion(e.body());
    if (expected !== j.version)
      throw new Error(`ensemble file is corrupt or edited: content hash gives ${expected}, file says ${j.version}`);
    return e;
  }
}

function detectorFromJSON(j: DetectorJson): Detector {
  switch (j.kind) {
    case 'mahalanobis':
      return MahalanobisDetector.fromJSON(j);
    case 'iforest':
      return IsolationForestDetector.fromJSON(j);
    case 'ocsvm':
      return OneClassSvmDetector.fromJSON(j);
    case 'autoencoder':
      return AutoencoderDetector.fromJSON(j);
    case 'clip-stats':
      return ClipStatsDetector.fromJSON(j);
    case 'edge-model':
      return EdgeModelDetector.fromJSON(j);
    default:
      throw new Error(`unknown detector kind ${JSON.stringify((j as { kind?: unknown }).kind)}`);
  }
}

function contentVersion(body: Omit<EnsembleJson, 'version'>): string {
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return `${ENSEMBLE_SEMVER}+${hash.slice(0, 12)}`;
}

const DESCRIPTION = new Map(FEATURES.map((f) => [f.name, f.description]));

/** At most this many explanation lines from one feature group, so MFCCs cannot fill all five. */
export const EXPLANATION_PER_GROUP = 2;
const GROUP = new Map(FEATURES.map((f) => [f.name, f.group]));

function explain(s: Standardizer, features: Float64Array, z: Float64Array): Explanation[] {
  const order = Array.from(z.keys()).sort((a, b) => Math.abs(z[b]) - Math.abs(z[a]) || a - b);
  const perGroup = new Map<string, number>();
  const picked: number[] = [];
  for (const j of order) {
    const g = GROUP.get(FEATURE_NAMES[s.indices[j]]) ?? '';
    if ((perGroup.get(g) ?? 0) >= EXPLANATION_PER_GROUP) continue;
    perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
    picked.push(j);
    if (picked.length === 5) break;
  }
  return picked.map((j) => {
    const name = FEATURE_NAMES[s.indices[j]];
    return {
      feature: name,
      value: features[s.indices[j]],
      z: z[j],
      direction: z[j] >= 0 ? 'high' : 'low',
      description: DESCRIPTION.get(name) ?? name,
    };
  });
}

export function validateClip(pcm: unknown, opts: RescoreOptions = {}): asserts pcm is Float32Array {
  if (!(pcm instanceof Float32Array))
    throw new EnsembleInputError('not-pcm', 'clip must be a Float32Array of mono 16 kHz samples in [-1, 1]');
  if (opts.sampleRate !== undefined && opts.sampleRate !== FEATURE_SAMPLE_RATE) {
    throw new EnsembleInputError(
      'wrong-rate',
      `clip is ${opts.sampleRate} Hz; the ensemble needs ${FEATURE_SAMPLE_RATE} Hz (resample it first)`,
    );
  }
  if (pcm.length === 0) throw new EnsembleInputError('empty', 'clip is empty (0 samples)');
  if (pcm.length < MIN_SAMPLES) {
    throw new EnsembleInputError(
      'too-short',
      `clip is ${(pcm.length / FEATURE_SAMPLE_RATE).toFixed(2)} s; the ensemble needs at least ${MIN_SAMPLES / FEATURE_SAMPLE_RATE} s`,
    );
  }
  const maxSeconds = opts.maxSeconds ?? MAX_CLIP_SECONDS;
  if (pcm.length > maxSeconds * FEATURE_SAMPLE_RATE) {
    throw new EnsembleInputError(
      'too-long',
      `clip is ${(pcm.length / FEATURE_SAMPLE_RATE).toFixed(1)} s; the limit is ${maxSeconds} s`,
    );
  }
  let peak = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i];
    if (!Number.isFinite(v)) throw new EnsembleInputError('corrupt', `clip is corrupt: sample ${i} is ${v}`);
    const a = Math.abs(v);
    if (a > peak) peak = a;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Resamplers may overshoot full scale a little; far beyond it the caller passed raw integers.
  if (peak > 2) throw new EnsembleInputError('corrupt', `clip samples reach ${peak}; expected float PCM scaled to [-1, 1]`);
  if (max - min < 1e-6) throw new EnsembleInputError('silent', 'clip is digital silence (no signal); check the microphone');
}

export { BORDERLINE_LOW };
