import { describe, expect, it } from 'vitest';
import { extractFeatures, FEATURE_COUNT, FEATURE_NAMES, FEATURES, FeatureError, featureValue } from './features.ts';

const SR = 16000;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function signal(seconds: number, f: (i: number) => number): Float32Array {
  const n = Math.round(seconds * SR);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = f(i);
  return x;
}

describe('feature catalog', () => {
  it('has at least 200 unique, described features and few level-dependent ones', () => {
    expect(FEATURE_COUNT).toBeGreaterThanOrEqual(200);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    for (const f of FEATURES) expect(f.description.length).toBeGreaterThan(5);
    expect(FEATURES.filter((f) => !f.levelInvariant).map((f) => f.name)).toEqual(['rms_db', 'peak_db']);
  });
});

describe('extractFeatures on hand-computable signals', () => {
  it('a 1 kHz tone: centroid and strongest tone at 1 kHz, narrow bandwidth, energy in 1000-1500 Hz', () => {
    const v = extractFeatures(signal(2, (i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR)));
    expect(featureValue(v, 'spec_centroid_hz_mean')).toBeCloseTo(1000, 0);
    expect(featureValue(v, 'tonal_peak1_hz')).toBeCloseTo(1000, 0);
    expect(featureValue(v, 'spec_bandwidth_hz_mean')).toBeLessThan(30);
    // Hann leakage puts bins 63/64/65 at power 1/4, 1, 1/4: 1.25 of 1.5 lies in the band.
    expect(featureValue(v, 'band_1000_1500_db')).toBeCloseTo(10 * Math.log10(1.25 / 1.5), 2);
    // A sine's crest factor is sqrt(2) = 3.01 dB; its kurtosis is 1.5.
    expect(featureValue(v, 'crest_factor_db')).toBeCloseTo(3.01, 1);
    expect(featureValue(v, 'kurtosis')).toBeCloseTo(1.5, 2);
    expect(featureValue(v, 'rms_db')).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 2);
  });

  it('a 30 Hz harmonic series: running speed 30 Hz, the fundamental carries the most energy', () => {
    const rnd = lcg(3);
    const v = extractFeatures(
      signal(2, (i) => {
        let s = 0.005 * (rnd() - 0.5);
        for (let h = 1; h <= 4; h++) s += (0.3 / h) * Math.sin((2 * Math.PI * 30 * h * i) / SR);
        return s;
      }),
    );
    expect(featureValue(v, 'speed_hz')).toBeCloseTo(30, 0);
    const h1 = featureValue(v, 'harm_1x_db');
    const h2 = featureValue(v, 'harm_2x_db');
    // Amplitudes 1 : 1/2 → powers differ by 6.02 dB.
    expect(h1 - h2).toBeCloseTo(6.02, 0);
    expect(featureValue(v, 'harmonic_energy_db')).toBeGreaterThan(-0.5);
  });

  it('white noise: long-term flatness near 1, centroid near 4 kHz, Gaussian-like kurtosis', () => {
    const rnd = lcg(7);
    // Sum of 4 uniforms: close to Gaussian (kurtosis 2.7).
    const v = extractFeatures(signal(2, () => (rnd() + rnd() + rnd() + rnd() - 2) * 0.2));
    expect(featureValue(v, 'flatness_long')).toBeGreaterThan(0.9);
    expect(featureValue(v, 'spec_centroid_hz_mean')).toBeGreaterThan(3700);
    expect(featureValue(v, 'spec_centroid_hz_mean')).toBeLessThan(4300);
    expect(featureValue(v, 'kurtosis')).toBeCloseTo(2.7, 0);
    expect(featureValue(v, 'tonal_peak_count')).toBeLessThan(5);
  });

  it('an impulse train at 25 Hz: crest factor 10·log10(16000/25) dB, envelope repeats at 25 Hz', () => {
    const v = extractFeatures(signal(2, (i) => (i % 640 === 0 ? 1 : 0)));
    expect(featureValue(v, 'crest_factor_db')).toBeCloseTo(10 * Math.log10(16000 / 25), 0);
    expect(featureValue(v, 'env_peak_hz')).toBeCloseTo(25, 0);
    expect(featureValue(v, 'envhf_peak_hz')).toBeCloseTo(25, 0);
    expect(featureValue(v, 'env_periodicity')).toBeGreaterThan(0.9);
  });

  it('bearing-like: 2-4 kHz bursts repeating at 87 Hz show up in the high-band envelope only', () => {
    const rnd = lcg(11);
    const period = SR / 87;
    const v = extractFeatures(
      signal(2, (i) => {
        const since = i % period;
        const burst = Math.exp(-since / 20) * Math.sin((2 * Math.PI * 3000 * i) / SR) * 0.1;
        return 0.3 * Math.sin((2 * Math.PI * 50 * i) / SR) + 0.02 * (rnd() - 0.5) + burst;
      }),
    );
    expect(featureValue(v, 'envhf_peak_hz')).toBeCloseTo(87, -0.5);
    expect(featureValue(v, 'envhf_periodicity')).toBeGreaterThan(0.3);
  });

  it('is deterministic and level-invariant except for the two absolute levels', () => {
    const rnd = lcg(5);
    const x = signal(
      1.5,
      (i) => 0.02 * (rnd() - 0.5) + 0.3 * Math.sin((2 * Math.PI * 45 * i) / SR) + 0.1 * Math.sin((2 * Math.PI * 2200 * i) / SR),
    );
    const a = extractFeatures(x);
    expect(extractFeatures(x)).toEqual(a);
    const quiet = extractFeatures(x.map((s) => s * 0.05));
    FEATURES.forEach((f, i) => {
      if (!f.levelInvariant) return;
      expect(Math.abs(quiet[i] - a[i]), f.name).toBeLessThan(1e-3 * Math.max(1, Math.abs(a[i])));
    });
    expect(featureValue(a, 'rms_db') - featureValue(quiet, 'rms_db')).toBeCloseTo(26.02, 1);
  });

  it('silence gives finite features, not NaN', () => {
    const v = extractFeatures(new Float32Array(SR));
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('rejects clips shorter than 1 s and non-finite samples with a clear error', () => {
    expect(() => extractFeatures(new Float32Array(100))).toThrow(FeatureError);
    expect(() => extractFeatures(new Float32Array(100))).toThrow(/too short/);
    const bad = new Float32Array(SR);
    bad[500] = Number.NaN;
    expect(() => extractFeatures(bad)).toThrow(/sample 500 is not a finite number/);
  });
});

describe('FEATURES.md', () => {
  it('is up to date with the catalog (regenerate: npx tsx cloud/src/ensemble/features-doc.ts)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { FEATURE_DOC_PATH, renderFeatureDoc } = await import('./features-doc.ts');
    // Biome re-aligns markdown tables: compare modulo padding.
    const norm = (s: string) => s.replace(/[ -]/g, '');
    expect(norm(await readFile(FEATURE_DOC_PATH, 'utf8'))).toBe(norm(renderFeatureDoc()));
  });
});
