import { describe, expect, it } from 'vitest';
import { FRONTEND } from '../src/frontend/config.ts';
import { computeLogMel } from '../src/frontend/logmel.ts';
import { synthesizeClip } from '../src/synth/clip.ts';
import { sampleMachine } from '../src/synth/machine.ts';
import { floatReconstructor, scorePcm } from './pipeline.ts';
import { fitPreprocess, inputCount, levelNormalizedInput, modelInputs } from './preprocess.ts';
import { clipScore, inputError, WindowScorer, windowScoresOf } from './score.ts';
import { TrainError, trainEdgeModel } from './train.ts';

const machine = sampleMachine('train-test');
const clips = [0, 1, 2].map((i) => ({ path: `n${i}.wav`, pcm: synthesizeClip({ machine, seed: `n${i}`, durationS: 3 }) }));
const tiny = { hidden: [8, 4, 8], maxEpochs: 3, patience: 2, seed: 5, maxTrainInputs: 200, inputNoise: 0.3 };

describe('trainEdgeModel', () => {
  it('is deterministic for a seed, reports every epoch and holds out the tail of few clips', async () => {
    const epochs: string[] = [];
    const progress = { update: (_d: number, _t: number, note?: string) => epochs.push(note ?? ''), log() {}, done() {} };
    const a = await trainEdgeModel(clips, tiny, progress);
    const b = await trainEdgeModel(clips, tiny);
    expect(epochs).toHaveLength(a.summary.epochs);
    expect(epochs[0]).toMatch(/loss \d+\.\d+ val \d+\.\d+/);
    expect(a.summary.split).toBe('by-time');
    expect(a.summary.backend).toBe('wasm');
    expect(a.model.layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual([
      [320, 8, 'RELU'],
      [8, 4, 'RELU'],
      [4, 8, 'RELU'],
      [8, 320, 'NONE'],
    ]);
    for (let k = 0; k < a.model.layers.length; k++) expect(b.model.layers[k].weights).toEqual(a.model.layers[k].weights);
    expect(a.heldout.segments.reduce((x, y) => x + y, 0)).toBe(a.heldout.inputs.length);
    expect(a.heldout.segments).toHaveLength(3);
    const c = await trainEdgeModel(clips, { ...tiny, seed: 6 });
    expect(c.model.layers[0].weights).not.toEqual(a.model.layers[0].weights);
  });

  it('refuses an empty clip list and audio too short to learn from', async () => {
    await expect(trainEdgeModel([], tiny)).rejects.toThrow(TrainError);
    await expect(trainEdgeModel([{ path: 'x.wav', pcm: new Float32Array(4000) }], tiny)).rejects.toThrow(
      /only 0\.3 s of normal audio/,
    );
  });
});

describe('preprocessing and score', () => {
  it('is invariant to microphone gain (level normalisation)', () => {
    const pcm = synthesizeClip({ machine, seed: 'gain', durationS: 2 });
    const spec = {
      frontend: FRONTEND,
      preprocess: fitPreprocess([computeLogMel(pcm)], FRONTEND),
      windowFrames: 16,
      scoreKind: 'window-mean-residual' as const,
    };
    // An untrained identity-ish model is enough: we compare the same pipeline at two gains.
    const model = {
      layers: [
        {
          inputs: 320,
          outputs: 320,
          activation: 'NONE' as const,
          weights: Float32Array.from({ length: 320 * 320 }, (_, i) => (i % 321 === 0 ? 0.5 : 0)),
          bias: new Float32Array(320),
        },
      ],
    };
    const quiet = scorePcm(pcm, spec, floatReconstructor(model));
    const loud = scorePcm(
      Float32Array.from(pcm, (v) => v * 0.25),
      spec,
      floatReconstructor(model),
    );
    expect(quiet.windows.length).toBeGreaterThan(1);
    for (let i = 0; i < quiet.windows.length; i++) expect(loud.windows[i]).toBeCloseTo(quiet.windows[i], 4);
    expect(quiet.score).toBeGreaterThan(0);
  });

  it('standardises training inputs to zero mean and unit variance per band', () => {
    const mels = clips.map((c) => computeLogMel(c.pcm));
    const spec = fitPreprocess(mels, FRONTEND);
    const rows = mels.flatMap((m) => modelInputs(m, spec));
    const b = 10;
    const vals = rows.flatMap((r) => Array.from({ length: 5 }, (_, f) => r[f * 64 + b]));
    const mean = vals.reduce((x, y) => x + y, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((x, y) => x + (y - mean) ** 2, 0) / vals.length);
    expect(mean).toBeCloseTo(0, 3);
    expect(sd).toBeCloseTo(1, 2);
  });

  it('pools poolFrames log-mel frames (mean in dB) per model frame, then removes the input mean', () => {
    const nMels = 64;
    const frames = 12;
    const data = Float32Array.from({ length: frames * nMels }, (_, i) => Math.floor(i / nMels) * 10 + (i % nMels));
    const mel = { frames, nMels, data };
    expect(inputCount(frames, { contextFrames: 5, poolFrames: 2 })).toBe(3);
    const x = levelNormalizedInput(mel, 1, { contextFrames: 5, poolFrames: 2 });
    // Model frame c averages log-mel frames 1+2c and 2+2c: 10·(1.5 + 2c) + b; the input mean is 10·5.5 + 31.5.
    for (const c of [0, 4]) for (const b of [0, 63]) expect(x[c * 64 + b]).toBeCloseTo(10 * (1.5 + 2 * c) + b - (55 + 31.5), 4);
  });

  it('adds a per-band std frame over the pooled span and gives it its own statistics', () => {
    const mels = clips.map((c) => computeLogMel(c.pcm));
    const spec = fitPreprocess(mels, FRONTEND, 4, true);
    expect(spec.kind).toBe('pooled-band-standardize');
    expect(spec.bandMean).toHaveLength(128);
    const rows = modelInputs(mels[0], spec);
    expect(rows).toHaveLength(mels[0].frames - 16 + 1);
    const raw = levelNormalizedInput(mels[0], 0, spec);
    let s1 = 0;
    let s2 = 0;
    for (let f = 0; f < 16; f++) {
      const v = mels[0].data[f * 64 + 20];
      s1 += v;
      s2 += v * v;
    }
    expect(raw[4 * 64 + 20]).toBeCloseTo(Math.sqrt(s2 / 16 - (s1 / 16) ** 2), 3);
    expect(fitPreprocess(mels, FRONTEND).kind).toBe('band-standardize');
  });

  // Inputs of dimension 2 with zero reconstruction: the residual is z itself.
  const zero = new Float32Array(2);
  const pair = (a: number, b: number) => [Float32Array.of(a, b), zero] as const;

  it("input-mse: a window is the mean of its inputs' mean squared residuals", () => {
    const pairs = [pair(1, 1), pair(1, -1), pair(2, 0), pair(0, 2), pair(3, 3)];
    expect(inputError(Float32Array.of(1, -1), zero)).toBe(1);
    // Windows of 2: (1 + 1) / 2, (2 + 2) / 2; the fifth input is an incomplete window, dropped.
    expect(windowScoresOf(pairs, 'input-mse', 2)).toEqual([1, 2]);
    // Fewer inputs than a window: one partial window.
    expect(windowScoresOf(pairs.slice(0, 3), 'input-mse', 8)).toEqual([(1 + 1 + 2) / 3]);
    expect(windowScoresOf([], 'input-mse', 8)).toEqual([]);
    expect(clipScore([1.5, 3.5])).toBe(2.5);
  });

  it('window-mean-residual: residuals are averaged over the window before squaring', () => {
    // (1,1) and (1,-1): mean residual (1, 0) -> 0.5; (2,0) and (0,2): mean (1, 1) -> 1.
    expect(windowScoresOf([pair(1, 1), pair(1, -1), pair(2, 0), pair(0, 2)], 'window-mean-residual', 2)).toEqual([0.5, 1]);
    // A steady deviation keeps its full weight, alternating noise of the same energy cancels.
    const steady = Array.from({ length: 8 }, () => pair(1, 0));
    const noise = Array.from({ length: 8 }, (_, i) => pair(i % 2 ? 1 : -1, 0));
    expect(windowScoresOf(steady, 'window-mean-residual', 8)).toEqual([0.5]);
    expect(windowScoresOf(noise, 'window-mean-residual', 8)).toEqual([0]);
    expect(windowScoresOf(noise, 'input-mse', 8)).toEqual([0.5]);
  });

  it('streams: WindowScorer reports each completed window and flushes a partial one', () => {
    const s = new WindowScorer('window-mean-residual', 2, 3);
    expect(s.push(Float32Array.of(3, 0), zero)).toBeNull();
    expect(s.lastError).toBe(4.5);
    expect(s.push(Float32Array.of(0, 0), zero)).toBeNull();
    expect(s.push(Float32Array.of(0, 3), zero)).toBeCloseTo(1);
    expect(s.pending).toBe(0);
    expect(s.flush()).toBeNull();
    s.push(Float32Array.of(2, 2), zero);
    expect(s.flush()).toBe(4);
    expect(() => new WindowScorer('input-mse', 2, 0)).toThrow(/positive integer/);
  });
});
