/**
 * The foundation's baseline as an ensemble member: Mahalanobis distance on the 128
 * level-normalised clip log-mel statistics of `edge-model/src/eval/baseline.ts` (the edge
 * front end's log-mel, band means relative to the clip level and band stds). It is reused, not
 * re-implemented, so the member is exactly the baseline the eval reports. On the synthetic
 * sets it separates better than any feature-catalogue detector alone (see the README).
 */
import { type BaselineModel, clipStatistics, fitBaseline, mahalanobis } from '../../../../edge-model/src/eval/baseline.ts';
import { base64ToF64, f64ToBase64 } from '../linalg.ts';
import type { ClipView, Detector } from './types.ts';

export interface ClipStatsJson {
  kind: 'clip-stats';
  name: string;
  dims: number;
  nTrain: number;
  shrinkage: number;
  mean: string;
  scale: string;
  chol: string;
}

function pcmOf(view: ClipView, name: string): Float32Array {
  if (!view.pcm) throw new Error(`${name}: the clip view carries no PCM`);
  return view.pcm;
}

export class ClipStatsDetector implements Detector {
  readonly transform = 'log' as const;
  constructor(
    readonly name: string,
    readonly model: BaselineModel,
  ) {}

  static train(views: readonly ClipView[], name = 'clip-stats'): ClipStatsDetector {
    return new ClipStatsDetector(name, fitBaseline(views.map((v) => clipStatistics(pcmOf(v, name)))));
  }

  score(view: ClipView): number {
    return mahalanobis(this.model, clipStatistics(pcmOf(view, this.name)));
  }

  toJSON(): ClipStatsJson {
    const m = this.model;
    return {
      kind: 'clip-stats',
      name: this.name,
      dims: m.dims,
      nTrain: m.nTrain,
      shrinkage: m.shrinkage,
      mean: f64ToBase64(m.mean),
      scale: f64ToBase64(m.scale),
      chol: f64ToBase64(m.chol),
    };
  }

  static fromJSON(j: ClipStatsJson): ClipStatsDetector {
    const mean = base64ToF64(j.mean);
    const scale = base64ToF64(j.scale);
    const chol = base64ToF64(j.chol);
    if (mean.length !== j.dims || scale.length !== j.dims || chol.length !== j.dims * j.dims)
      throw new Error('clip-stats: stored matrix sizes do not match dims');
    return new ClipStatsDetector(j.name, { dims: j.dims, nTrain: j.nTrain, shrinkage: j.shrinkage, mean, scale, chol });
  }
}
