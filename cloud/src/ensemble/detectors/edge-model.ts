/**
 * The device's own model as an ensemble member: the float network of an exported edge model
 * (card.json + weights.json, e.g. models/default) on the device's front end and preprocessing,
 * scoring the whole clip at once (see EdgeClipScore). The cloud has the
 * float weights, so it uses them rather than the int8 model. It is not re-trained here: it was
 * trained on the same normal clips, so its calibration on them is slightly optimistic (the
 * edge model's own validation loss was within 8 % of its training loss).
 */
import path from 'node:path';
import {
  type FloatModel,
  type FloatModelJson,
  floatModelFromJson,
  floatModelToJson,
} from '../../../../edge-model/export/float-model.ts';
import { readWeights } from '../../../../edge-model/train/model-dir.ts';
import {
  type ClipScores,
  floatReconstructor,
  type Reconstructor,
  type ScoringSpec,
  scorePcm,
} from '../../../../edge-model/train/pipeline.ts';
import type { ClipView, Detector } from './types.ts';

export interface EdgeModelJson {
  kind: 'edge-model';
  name: string;
  /** sha256 of the edge model's .tflite (from its card), to say which device model this is. */
  sha256: string;
  /** scoreKind is absent in ensembles saved before score kinds (they scored by input MSE). */
  spec: Omit<ScoringSpec, 'scoreKind'> & Partial<Pick<ScoringSpec, 'scoreKind'>>;
  weights: FloatModelJson;
  /** How the clip is scored (see EdgeClipScore); absent in ensembles saved before it existed. */
  clipScore?: EdgeClipScore;
}

/**
 * "clip-mean-residual" (default): the residual averaged over the whole clip before squaring
 * (`ClipScores.clipMeanResidual`), the cloud's advantage of seeing seconds of audio at once; measured on
 * three synthetic sets it separates faults better than the device's own score, in the device's
 * borderline band too (cloud/README.md). "device-windows": the device's score (mean of its
 * window scores), what ensembles saved before it used.
 */
export type EdgeClipScore = 'clip-mean-residual' | 'device-windows';

export class EdgeModelDetector implements Detector {
  readonly transform = 'log' as const;
  private readonly recon: Reconstructor;
  /** The last clip read: training asks for both readings of the same clip, one pass serves both. */
  private last: { pcm: Float32Array; scores: ClipScores } | null = null;
  constructor(
    readonly name: string,
    readonly sha256: string,
    readonly spec: ScoringSpec,
    readonly model: FloatModel,
    readonly clipScore: EdgeClipScore = 'clip-mean-residual',
  ) {
    this.recon = floatReconstructor(model);
  }

  /** From an exported edge model folder (card.json + weights.json). */
  static async load(dir: string, name = 'edge-model'): Promise<EdgeModelDetector> {
    const { loadEdgeScorers } = await import('../../../../edge-model/train/scorer.ts');
    const { readCard } = await import('../../../../edge-model/export/card.ts');
    const float = (await loadEdgeScorers(dir)).find((s) => s.name === 'edge-float');
    if (!float) throw new Error(`${dir}: no weights.json next to card.json; the ensemble needs the float network`);
    const card = await readCard(path.join(dir, 'card.json'));
    return new EdgeModelDetector(name, card.sha256, float.spec, await readWeights(dir));
  }

  /**
   * Re-trains this network's architecture on other normal clips with the settings the card
   * records (preprocessing fitted on those clips too), for cross-fitting: train-ensemble scores
   * each normal clip with a network that never saw it, so the member's calibration and weight are
   * out of sample. Loads TensorFlow.js only when called.
   */
  static async refitter(
    dir: string,
  ): Promise<(clips: readonly Float32Array[], seed: number, quick?: boolean) => Promise<EdgeModelDetector>> {
    const { readCard } = await import('../../../../edge-model/export/card.ts');
    const card = await readCard(path.join(dir, 'card.json'));
    const t = card.training as { hidden?: unknown; batchSize?: unknown; learningRate?: unknown };
    const hidden = Array.isArray(t.hidden) && t.hidden.every((h) => Number.isInteger(h) && h > 0) ? (t.hidden as number[]) : null;
    if (!hidden || typeof t.batchSize !== 'number' || typeof t.learningRate !== 'number')
      throw new Error(`${dir}/card.json: training.hidden/batchSize/learningRate are missing; cannot cross-fit the edge network`);
    const settings = { hidden, batchSize: t.batchSize, learningRate: t.learningRate };
    return async (clips, seed, quick = false) => {
      const { trainEdgeModel } = await import('../../../../edge-model/train/train.ts');
      const trained = await trainEdgeModel(
        clips.map((pcm, i) => ({ path: `fold-clip-${i}`, pcm })),
        {
          ...settings,
          seed,
          poolFrames: card.preprocess.poolFrames,
          stdFrame: Boolean(card.preprocess.stdFrame),
          windowFrames: card.score.windowFrames,
          scoreKind: card.score.kind,
          ...(quick ? { maxEpochs: 3 } : {}),
        },
      );
      const spec: ScoringSpec = {
        frontend: trained.frontend,
        preprocess: trained.preprocess,
        windowFrames: trained.windowFrames,
        scoreKind: trained.scoreKind,
      };
      return new EdgeModelDetector('edge-model', `refit-of-${card.sha256}`, spec, trained.model);
    };
  }

  /** The clip's score as the device computes it (mean of its window scores), float network. */
  deviceScore(pcm: Float32Array): number {
    return this.read(pcm).score;
  }

  private read(pcm: Float32Array): ClipScores {
    if (this.last?.pcm !== pcm) this.last = { pcm, scores: scorePcm(pcm, this.spec, this.recon) };
    return this.last.scores;
  }

  score(view: ClipView): number {
    if (!view.pcm) throw new Error(`${this.name}: the clip view carries no PCM`);
    const scores = this.read(view.pcm);
    const s = this.clipScore === 'clip-mean-residual' ? scores.clipMeanResidual : scores.score;
    if (!Number.isFinite(s)) throw new Error(`${this.name}: the clip is too short for one model input`);
    return s;
  }

  toJSON(): EdgeModelJson {
    return {
      kind: 'edge-model',
      name: this.name,
      sha256: this.sha256,
      spec: this.spec,
      weights: floatModelToJson(this.model),
      clipScore: this.clipScore,
    };
  }

  static fromJSON(j: EdgeModelJson): EdgeModelDetector {
    const spec: ScoringSpec = { ...j.spec, scoreKind: j.spec.scoreKind ?? 'input-mse' };
    return new EdgeModelDetector(j.name, j.sha256, spec, floatModelFromJson(j.weights), j.clipScore ?? 'device-windows');
  }
}
