import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeModelDetector } from './detectors/edge-model.ts';
import type { ClipView } from './detectors/types.ts';
import { faultyClip, normalClip } from './test-fixtures.ts';
import { deviceOverlapBand, MIN_BAND_CLIPS, trainEnsemble } from './train.ts';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../models/default');

describe('deviceOverlapBand (which clips the combination rule weighs)', () => {
  it('spans the lowest fault score to the highest normal score and lists the clips inside', () => {
    expect(deviceOverlapBand([0.1, 0.3, 0.5, Number.NaN], [0.4, 0.2, 0.9])).toEqual({
      low: 0.2,
      high: 0.5,
      normal: [1, 2],
      fault: [0, 1],
    });
  });

  it('is null when every fault scores above every normal clip, or a side is empty', () => {
    expect(deviceOverlapBand([0.1, 0.2], [0.3, 0.4])).toBeNull();
    expect(deviceOverlapBand([], [0.3])).toBeNull();
    expect(deviceOverlapBand([0.1], [Number.NaN])).toBeNull();
  });
});

describe('cross-fitting the edge member', () => {
  it("re-trains the edge network per fold on that fold's clips only, and ships the given network", async () => {
    const shipped = await EdgeModelDetector.load(MODEL_DIR);
    const calls: (readonly Float32Array[])[] = [];
    const normal = Array.from({ length: 20 }, (_, i) => ({ pcm: normalClip(i) }));
    const ens = await trainEnsemble({
      normal,
      faults: [
        ...Array.from({ length: 5 }, (_, i) => ({ pcm: faultyClip('bearing', 10 + i), label: 'bearing' })),
        ...Array.from({ length: 5 }, (_, i) => ({ pcm: faultyClip('valve-leak', 20 + i), label: 'valve-leak' })),
      ],
      quick: true,
      seed: 3,
      edgeModel: shipped,
      edgeModelRefit: async (clips) => {
        calls.push(clips);
        return shipped;
      },
    });
    expect(calls).toHaveLength(4);
    // Each normal clip is held out of exactly one fold, so exactly one refit never saw it.
    for (const n of normal) expect(calls.filter((c) => c.includes(n.pcm))).toHaveLength(3);
    expect(calls.map((c) => c.length)).toEqual([15, 15, 15, 15]);
    expect(ens.detectors.at(-1)?.detector).toBe(shipped);
    expect(ens.training.edgeCrossFitted).toBe(true);
    // 5 + 5 fault clips can never fill the band, so the weights come from every clip.
    expect(MIN_BAND_CLIPS).toBeGreaterThan(5);
    expect((ens.training.weightsFrom as { clips: string }).clips).toBe('all');
  });

  it("the refitter trains the card's architecture on new clips, with their own preprocessing statistics", async () => {
    const shipped = await EdgeModelDetector.load(MODEL_DIR);
    const refit = await EdgeModelDetector.refitter(MODEL_DIR);
    const d = await refit(
      Array.from({ length: 6 }, (_, i) => normalClip(i, 3)),
      5,
      true,
    );
    expect(d.model.layers.map((l) => l.outputs)).toEqual(shipped.model.layers.map((l) => l.outputs));
    expect(d.spec.preprocess.poolFrames).toBe(shipped.spec.preprocess.poolFrames);
    expect(d.spec.scoreKind).toBe(shipped.spec.scoreKind);
    expect(d.spec.preprocess.bandMean).not.toEqual(shipped.spec.preprocess.bandMean);
    const score = d.score({ pcm: faultyClip('bearing', 1, 3) } as ClipView);
    expect(Number.isFinite(score) && score > 0).toBe(true);
  });
});
