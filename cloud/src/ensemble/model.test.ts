import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FEATURES } from './features.ts';
import { EnsembleInputError, type TrainedEnsemble } from './model.ts';
import { ENSEMBLE_FILE, EnsembleLoadError, loadEnsemble, loadEnsembleScorer, saveEnsemble } from './scorer.ts';
import { faultyClip, normalClip } from './test-fixtures.ts';
import { trainEnsemble } from './train.ts';

let ens: TrainedEnsemble;
let dir: string;
const normalTest = Array.from({ length: 4 }, (_, i) => normalClip(200 + i));
const bearing = faultyClip('bearing', 5);
const valve = faultyClip('valve-leak', 6);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-ensemble-'));
  ens = await trainEnsemble({
    normal: Array.from({ length: 24 }, (_, i) => ({ pcm: normalClip(i) })),
    faults: [
      ...Array.from({ length: 5 }, (_, i) => ({ pcm: faultyClip('bearing', 10 + i), label: 'bearing' })),
      ...Array.from({ length: 5 }, (_, i) => ({ pcm: faultyClip('valve-leak', 20 + i), label: 'valve-leak' })),
    ],
    quick: true,
    seed: 2,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CloudVerdict (contract G)', () => {
  it('scores clearly faulty clips anomalous and above every unseen normal clip', () => {
    const normals = normalTest.map((p) => ens.rescore(p).score);
    for (const p of [bearing, valve]) {
      const v = ens.rescore(p);
      expect(v.score).toBeGreaterThan(Math.max(...normals));
      expect(v.state).toBe('anomalous');
      expect(v.score).toBeGreaterThanOrEqual(1);
    }
    expect(normals.filter((s) => s >= 1).length).toBeLessThanOrEqual(1);
  });

  it('names the likely fault, explains with five features and reports every detector', () => {
    const v = ens.rescore(bearing);
    expect(v.fault?.type).toBe('bearing');
    expect(v.fault?.confidence).toBeGreaterThan(0.5);
    expect(v.explanation).toHaveLength(5);
    for (const e of v.explanation) {
      expect(FEATURE_NAMES).toContain(e.feature);
      expect(e.direction).toBe(e.z >= 0 ? 'high' : 'low');
      expect(Number.isFinite(e.value)).toBe(true);
    }
    const zs = v.explanation.map((e) => Math.abs(e.z));
    expect(zs).toEqual([...zs].sort((a, b) => b - a));
    // Diverse: at most two lines from any one feature group.
    const groups = v.explanation.map((e) => FEATURES.find((f) => f.name === e.feature)?.group);
    for (const g of new Set(groups)) expect(groups.filter((x) => x === g).length).toBeLessThanOrEqual(2);
    expect(Object.keys(v.detectors).sort()).toEqual([
      'autoencoder',
      'clip-stats',
      'iforest',
      'mahalanobis-features',
      'mahalanobis-mel',
      'ocsvm',
    ]);
    expect(v.version).toMatch(/^1\.0\.0\+[0-9a-f]{12}$/);
    expect(ens.rescore(normalTest[0]).fault).toBeNull();
  });
});

describe('serialisation', () => {
  it('round-trips through ensemble.json with identical verdicts and version', async () => {
    await saveEnsemble(ens, dir);
    const back = await loadEnsemble(dir);
    expect(back.version).toBe(ens.version);
    for (const p of [...normalTest, bearing, valve]) expect(back.rescore(p)).toEqual(ens.rescore(p));
    const scorer = await loadEnsembleScorer(dir);
    expect(scorer.name).toBe('ensemble');
    expect(await scorer.scoreClip({ path: 'x.wav', label: 'anomaly', pcm: bearing })).toBe(ens.rescore(bearing).score);
  });

  it('refuses an edited or truncated model file with a clear error', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'sc-ensemble-bad-'));
    try {
      const text = await readFile(join(dir, ENSEMBLE_FILE), 'utf8');
      const json = JSON.parse(text);
      json.combined.threshold += 1;
      await writeFile(join(bad, ENSEMBLE_FILE), JSON.stringify(json));
      await expect(loadEnsemble(bad)).rejects.toThrow(/corrupt or edited/);
      await writeFile(join(bad, ENSEMBLE_FILE), text.slice(0, 1000));
      await expect(loadEnsemble(join(bad, '.'))).rejects.toThrow(EnsembleLoadError);
      await expect(loadEnsemble(join(bad, 'missing'))).rejects.toThrow(/train-ensemble/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('rescore rejects unusable clips with a clear error', () => {
  const cases: [string, () => unknown, string, RegExp][] = [
    ['empty', () => ens.rescore(new Float32Array(0)), 'empty', /empty/],
    ['too short', () => ens.rescore(new Float32Array(8000).fill(0.1)), 'too-short', /at least 1 s/],
    ['too long', () => ens.rescore(new Float32Array(16000 * 11)), 'too-long', /limit is 10 s/],
    ['wrong rate', () => ens.rescore(normalTest[0], { sampleRate: 44100 }), 'wrong-rate', /44100 Hz.*16000 Hz/],
    [
      'corrupt (NaN)',
      () => {
        const x = normalTest[0].slice();
        x[123] = Number.NaN;
        return ens.rescore(x);
      },
      'corrupt',
      /sample 123/,
    ],
    ['int16-scaled', () => ens.rescore(normalTest[0].map((v) => v * 32767)), 'corrupt', /\[-1, 1\]/],
    ['digital silence', () => ens.rescore(new Float32Array(16000)), 'silent', /silence/],
    ['not PCM', () => ens.rescore([0.1, 0.2] as unknown as Float32Array), 'not-pcm', /Float32Array/],
  ];
  for (const [name, run, code, message] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EnsembleInputError);
      expect((err as EnsembleInputError).code).toBe(code);
      expect((err as Error).message).toMatch(message);
    });
  }
});

describe('the committed default ensemble (models/ensemble)', () => {
  const dir = join(import.meta.dirname, '../../../models/ensemble');
  it.skipIf(!existsSync(join(dir, ENSEMBLE_FILE)))('loads with this build’s feature catalogue and re-scores a clip', async () => {
    const e = await loadEnsemble(dir);
    const v = e.rescore(normalClip(400, 2));
    expect(v.version).toBe(e.version);
    expect(Number.isFinite(v.score) && v.score > 0).toBe(true);
    // The five own detectors, the baseline's clip statistics and the device's model (float).
    expect(Object.keys(v.detectors).sort()).toEqual([
      'autoencoder',
      'clip-stats',
      'edge-model',
      'iforest',
      'mahalanobis-features',
      'mahalanobis-mel',
      'ocsvm',
    ]);
  });
});
