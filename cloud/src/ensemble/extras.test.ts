import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../edge-model/src/eval/types.ts';
import { evaluateEnsembleExtras } from './extras.ts';
import type { TrainedEnsemble } from './model.ts';

// A stand-in ensemble whose score is the clip's first sample, so every band result is hand-checkable.
const fake = {
  classifier: null,
  assess: (pcm: Float32Array) => ({
    verdict: { score: pcm[0], state: pcm[0] >= 1 ? 'anomalous' : pcm[0] >= 0.5 ? 'borderline' : 'normal' },
    faultPrediction: null,
  }),
} as unknown as TrainedEnsemble;

const clip = (score: number, label: Clip['label'], fault?: string): Clip => ({
  path: `${label}-${score}`,
  label,
  fault,
  pcm: Float32Array.of(score),
});

describe('evaluateEnsembleExtras', () => {
  const clips = [
    clip(0.1, 'normal'),
    clip(0.6, 'normal'),
    clip(0.9, 'anomaly', 'bearing'),
    clip(2, 'anomaly', 'bearing'),
    clip(0.2, 'anomaly', 'slugging'),
  ];
  // Edge clip scores: the borderline band [0.4, 0.5] holds clips 1, 2 and 4.
  const edge = { scores: [0.1, 0.45, 0.42, 0.9, 0.5], borderlineLow: 0.4, borderlineHigh: 0.5, name: 'edge-int8' };

  it('reports AUC overall/per fault, states, and both models on the edge borderline and overlap bands', async () => {
    const r = await evaluateEnsembleExtras(fake, clips, edge);
    expect(r.ensemble.auc).toBeCloseTo(5 / 6, 10);
    expect(r.ensemble.perFault.bearing.auc).toBe(1);
    expect(r.states.normal).toEqual({ normal: 1, borderline: 1, anomalous: 0 });
    expect(r.states.anomaly).toEqual({ normal: 1, borderline: 1, anomalous: 1 });
    expect(r.classifier).toBeNull();
    expect(r.borderline).toMatchObject({ n: 3, normal: 1, anomaly: 2 });
    // Band clips 1 (normal, edge .45, ens .6), 2 (anomaly, .42, .9), 4 (anomaly, .5, .2).
    expect(r.borderline?.edgeAuc).toBeCloseTo(0.5, 10);
    expect(r.borderline?.ensembleAuc).toBeCloseTo(0.5, 10);
    // Overlap: lowest anomalous edge score .42 .. highest normal .45 → clips 1 and 2.
    expect(r.overlap).toMatchObject({ band: [0.42, 0.45], n: 2, edgeAuc: 0, ensembleAuc: 1 });
  });

  it('selects device-borderline clips by window scores and refuses misaligned edge scores', async () => {
    const windows = [[0.1], [0.3, 0.41], [0.2], [0.9, 0.44], [0.6]];
    const r = await evaluateEnsembleExtras(fake, clips, { ...edge, windows });
    expect(r.deviceBorderline).toMatchObject({ n: 2, normal: 1, anomaly: 1, ensembleAuc: 1 });
    await expect(evaluateEnsembleExtras(fake, clips, { ...edge, scores: [1] })).rejects.toThrow(/must align/);
  });
});
