import path from 'node:path';
import { IsolationForest } from 'ml-isolation-forest';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEVEL_INVARIANT_INDICES } from '../features.ts';
import { clipZ, fitStandardizer, standardize } from '../linalg.ts';
import { mulberry32, withSeededRandom } from '../rng.ts';
import { loadSvm } from '../svm-loader.ts';
import { analyses, faultyClip, normalClip } from '../test-fixtures.ts';
import { AutoencoderDetector } from './autoencoder.ts';
import { trainAutoencoder } from './autoencoder-train.ts';
import { ClipStatsDetector } from './clip-stats.ts';
import { EdgeModelDetector } from './edge-model.ts';
import { averagePathLength, IsolationForestDetector } from './iforest.ts';
import { MahalanobisDetector, type MahalanobisJson } from './mahalanobis.ts';
import { OneClassSvmDetector } from './ocsvm.ts';
import type { ClipView, Detector } from './types.ts';

// 24 normal clips (two machines) to train on, 6 unseen normal clips, and clearly faulty clips.
let train: ClipView[];
let heldOut: ClipView[];
let faulty: ClipView[];
let detectors: Detector[];

beforeAll(async () => {
  const trainP = Array.from({ length: 24 }, (_, i) => normalClip(i));
  const heldP = Array.from({ length: 6 }, (_, i) => normalClip(100 + i));
  const faultyP = [faultyClip('bearing'), faultyClip('valve-leak'), faultyClip('starvation', 1)];
  const trainA = analyses(trainP);
  const heldA = analyses(heldP);
  const faultyA = analyses(faultyP);
  const st = fitStandardizer(
    trainA.map((a) => a.features),
    LEVEL_INVARIANT_INDICES,
  );
  const view = (a: (typeof trainA)[number], pcm: Float32Array): ClipView => ({
    z: clipZ(standardize(st, a.features), 10),
    logmel: a.logmel,
    frames: a.frames,
    pcm,
  });
  train = trainA.map((a, i) => view(a, trainP[i]));
  heldOut = heldA.map((a, i) => view(a, heldP[i]));
  faulty = faultyA.map((a, i) => view(a, faultyP[i]));
  const rows = train.map((v) => v.z);
  detectors = [
    MahalanobisDetector.train(rows),
    IsolationForestDetector.train(rows, { trees: 50, seed: 3 }),
    await OneClassSvmDetector.train(rows, { nu: 0.1 }),
    await trainAutoencoder(trainA, { epochs: 4, hidden: 64, bottleneck: 16, maxWindows: 1500, seed: 3 }),
    ClipStatsDetector.train(train),
  ];
});

describe('each detector separates clearly faulty synthetic clips from normal ones', () => {
  for (const name of ['mahalanobis', 'iforest', 'ocsvm', 'autoencoder', 'clip-stats']) {
    it(name, () => {
      const d = detectors.find((x) => x.name === name);
      if (!d) throw new Error(`no detector ${name}`);
      const normalMax = Math.max(...heldOut.map((v) => d.score(v)));
      const faultScores = faulty.map((v) => d.score(v));
      // Every faulty clip scores above every unseen normal clip.
      for (const s of faultScores) expect(s).toBeGreaterThan(normalMax);
    });
  }
});

describe('serialisation', () => {
  it('every detector scores identically after a JSON round trip', () => {
    for (const d of detectors) {
      const json = JSON.parse(JSON.stringify(d.toJSON()));
      const back =
        d.name === 'mahalanobis'
          ? MahalanobisDetector.fromJSON(json)
          : d.name === 'iforest'
            ? IsolationForestDetector.fromJSON(json)
            : d.name === 'ocsvm'
              ? OneClassSvmDetector.fromJSON(json)
              : d.name === 'clip-stats'
                ? ClipStatsDetector.fromJSON(json)
                : AutoencoderDetector.fromJSON(json);
      for (const v of [...heldOut, ...faulty]) expect(back.score(v)).toBe(d.score(v));
    }
  });

  it('rejects stored matrices of the wrong size', () => {
    const m = detectors[0].toJSON() as MahalanobisJson;
    expect(() => MahalanobisDetector.fromJSON({ ...(m as MahalanobisJson), d: m.d + 1 })).toThrow(/do not match/);
  });
});

describe('members reused from the edge model', () => {
  it('clip-stats is exactly the eval baseline (edge-model/src/eval/baseline.ts)', async () => {
    const { baselineScorer } = await import('../../../../edge-model/src/eval/baseline.ts');
    const d = detectors.find((x) => x.name === 'clip-stats') as ClipStatsDetector;
    const base = baselineScorer(d.model);
    for (const v of [...heldOut, ...faulty]) {
      expect(d.score(v)).toBe(base.scoreClip({ pcm: v.pcm as Float32Array } as never));
    }
  });

  it("edge-model scores the whole clip's mean residual; device-windows mode is the edge model's own float score", async () => {
    const dir = path.resolve(import.meta.dirname, '../../../../models/default');
    const { loadEdgeScorers } = await import('../../../../edge-model/train/scorer.ts');
    const { modelInputs } = await import('../../../../edge-model/train/preprocess.ts');
    const { computeLogMel } = await import('../../../../edge-model/src/frontend/logmel.ts');
    const { floatForward } = await import('../../../../edge-model/export/float-model.ts');
    const float = (await loadEdgeScorers(dir)).find((s) => s.name === 'edge-float');
    if (!float) throw new Error('models/default has no float weights');
    const d = await EdgeModelDetector.load(dir);
    expect(d.clipScore).toBe('clip-mean-residual');
    const back = EdgeModelDetector.fromJSON(JSON.parse(JSON.stringify(d.toJSON())));
    const device = new EdgeModelDetector('edge-model', d.sha256, d.spec, d.model, 'device-windows');
    for (const v of [...heldOut.slice(0, 2), ...faulty]) {
      // Straight from the definition: average every input's residual over the clip, then square.
      const inputs = modelInputs(computeLogMel(v.pcm as Float32Array, d.spec.frontend), d.spec.preprocess);
      const mean = new Float64Array(inputs[0].length);
      for (const z of inputs) {
        const y = floatForward(d.model, z);
        for (let i = 0; i < z.length; i++) mean[i] += (z[i] - y[i]) / inputs.length;
      }
      const expected = mean.reduce((a, m) => a + m * m, 0) / mean.length;
      expect(d.score(v)).toBeCloseTo(expected, 6);
      expect(back.score(v)).toBe(d.score(v));
      expect(device.score(v)).toBe(float.scoreClip({ pcm: v.pcm as Float32Array } as never));
    }
    // The faulty clip deviates more, in both readings.
    expect(d.score(faulty[0])).toBeGreaterThan(d.score(heldOut[0]));
    expect(() => d.score({ ...heldOut[0], pcm: undefined })).toThrow(/no PCM/);
  });

  it('an edge-model member saved before clip scores and score kinds loads as it was: device windows by input MSE', async () => {
    const dir = path.resolve(import.meta.dirname, '../../../../models/default');
    const d = await EdgeModelDetector.load(dir);
    const { clipScore: _c, ...legacy } = d.toJSON();
    const { scoreKind: _k, ...spec } = legacy.spec;
    const old = EdgeModelDetector.fromJSON({ ...legacy, spec });
    expect(old.clipScore).toBe('device-windows');
    expect(old.spec.scoreKind).toBe('input-mse');
  });
});

describe('library agreement', () => {
  it('the stored isolation trees give the same scores as ml-isolation-forest itself', () => {
    const rand = mulberry32(9);
    const rows = Array.from({ length: 64 }, () => Array.from({ length: 5 }, () => rand()));
    const lib = withSeededRandom(4, () => {
      const f = new IsolationForest({ nEstimators: 20 });
      f.train(rows);
      return f;
    });
    // Same seeded draws and no projection: the same trees, flattened and walked by our code.
    const ours = IsolationForestDetector.train(
      rows.map((r) => Float64Array.from(r)),
      { trees: 20, seed: 4, components: 0 },
    );
    const back = IsolationForestDetector.fromJSON(JSON.parse(JSON.stringify(ours.toJSON())));
    const probe = [rows[0], rows[17], [5, 5, 5, 5, 5], [0.5, 0.5, 0.5, 0.5, 0.5]];
    const expected = lib.predict(probe);
    for (const [i, p] of probe.entries()) expect(back.scoreRow(p)).toBeCloseTo(expected[i], 12);
    expect(averagePathLength(256)).toBeCloseTo(2 * Math.log(255) + 0.57721 - (2 * 255) / 256, 12);
  });

  it("the one-class SVM decision sign agrees with libsvm's own prediction", async () => {
    const SVM = await loadSvm();
    const rows = train.map((v) => Array.from(v.z));
    const svm = new SVM({
      type: SVM.SVM_TYPES.ONE_CLASS,
      kernel: SVM.KERNEL_TYPES.RBF,
      nu: 0.1,
      gamma: 1 / rows[0].length,
      quiet: true,
    });
    try {
      svm.train(
        rows,
        rows.map(() => 1),
      );
      const ours = await OneClassSvmDetector.train(
        train.map((v) => v.z),
        { nu: 0.1 },
      );
      for (const v of [...train, ...heldOut, ...faulty]) {
        const inside = svm.predictOne(Array.from(v.z)) === 1;
        const s = ours.scoreRow(v.z);
        if (Math.abs(s) > 1e-9) expect(s <= 0).toBe(inside);
      }
    } finally {
      svm.free();
    }
  });
});
