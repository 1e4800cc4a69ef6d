/**
 * The ensemble's clip-level feature vector (301 features). One pass computes the per-frame power
 * spectra (the front end's 1024/512 Hann framing), a long Welch spectrum (8192-point, ~2 Hz bins,
 * enough to resolve compressor running speed and its harmonics) and two rectified envelopes;
 * every feature is derived from those.
 *
 * All but two features are level-invariant (ratios, dB differences, frequencies, shape
 * statistics), so a microphone with a different gain or a technician holding the phone closer
 * does not look like a fault. The two absolute levels (`rms_db`, `peak_db`) stay in the vector
 * for display but detectors skip them (see `levelInvariant`).
 *
 * Names are stable identifiers: they appear in cloud verdict explanations and serialised models.
 */
import {
  autocorrelation,
  db,
  dctMatrix,
  highpassInPlace,
  makeScratch,
  mean,
  median,
  melFilters,
  nextPow2,
  powerSpectrumAt,
  quantile,
  rectifiedEnvelope,
  std,
  welch,
} from './dsp.ts';

export const FEATURE_SAMPLE_RATE = 16000;
/** Shortest clip the extractor accepts: one second (the Welch spectrum needs 8192 samples). */
export const MIN_SAMPLES = FEATURE_SAMPLE_RATE;

const FRAME = 1024;
const HOP = 512;
const N_MELS = 64;
const N_MFCC = 20;
const WELCH_SEG = 8192;
const ENV_FACTOR = 8; // 16 kHz → 2 kHz envelope
const CONTRAST_EDGES = [0, 200, 400, 800, 1600, 3200, 6400, 8000];
const ENV_BANDS = [2, 4, 8, 16, 32, 64, 128, 256, 450];
const N_HARMONICS = 12;

export interface FeatureInfo {
  readonly name: string;
  readonly group: string;
  /** What it measures, in words a technician can follow. */
  readonly description: string;
  /** False for the two absolute levels, which depend on microphone gain and distance. */
  readonly levelInvariant: boolean;
}

function buildCatalog(): FeatureInfo[] {
  const c: FeatureInfo[] = [];
  const add = (group: string, name: string, description: string, levelInvariant = true) =>
    c.push({ name, group, description, levelInvariant });
  add('level', 'rms_db', 'overall loudness (RMS, dBFS); depends on mic gain', false);
  add('level', 'peak_db', 'highest sample (dBFS); depends on mic gain', false);
  add('time', 'crest_factor_db', 'peak-to-RMS ratio (dB): knocks and impacts raise it');
  add('time', 'kurtosis', 'sample kurtosis (3 for Gaussian noise): impulsive faults raise it');
  add('time', 'skewness', 'sample skewness (asymmetry of the waveform)');
  add('time', 'zcr', 'zero crossings per second');
  add('time', 'impulsiveness', 'fraction of samples beyond 4 RMS');
  add('time', 'frame_rms_cv', 'variation of loudness between 64 ms frames (std/mean)');
  add('time', 'frame_db_range', 'spread of frame loudness, 95th minus 5th percentile (dB)');
  add('time', 'frame_kurtosis_mean', 'mean kurtosis within 64 ms frames');
  add('time', 'frame_crest_mean_db', 'mean crest factor within 64 ms frames (dB)');
  const spectral: [string, string][] = [
    ['centroid_hz', 'spectral centroid (brightness), Hz'],
    ['bandwidth_hz', 'spectral bandwidth around the centroid, Hz'],
    ['rolloff85_hz', 'frequency below which 85 % of the energy lies, Hz'],
    ['rolloff95_hz', 'frequency below which 95 % of the energy lies, Hz'],
    ['flatness', 'spectral flatness per frame (noise-like vs tonal)'],
    ['entropy', 'normalised spectral entropy'],
    ['flux', 'frame-to-frame change of the normalised spectrum'],
    ['slope_db_per_khz', 'tilt of the spectrum, dB per kHz'],
    ['peakiness_db', 'strongest bin over the mean bin (dB)'],
    ['hf_ratio_db', 'energy above 2 kHz relative to the total (dB)'],
  ];
  for (const [n, d] of spectral) {
    add('spectral', `spec_${n}_mean`, `${d}: mean over frames`);
    add('spectral', `spec_${n}_std`, `${d}: variation over frames`);
  }
  for (let b = 0; b < CONTRAST_EDGES.length - 1; b++) {
    const r = `${CONTRAST_EDGES[b]}-${CONTRAST_EDGES[b + 1]} Hz`;
    add('contrast', `contrast_${b}_mean`, `spectral contrast (peaks over valleys, dB) in ${r}: mean`);
    add('contrast', `contrast_${b}_std`, `spectral contrast in ${r}: variation over frames`);
  }
  for (let b = 0; b < 16; b++) {
    add('band', `band_${b * 500}_${(b + 1) * 500}_db`, `energy in ${b * 500}-${(b + 1) * 500} Hz relative to the total (dB)`);
  }
  add('band', 'low_high_ratio_db', 'energy below 500 Hz over energy above 2 kHz (dB)');
  add('band', 'mid_ratio_db', 'energy in 500-2000 Hz relative to the total (dB)');
  for (let m = 0; m < N_MELS; m++) {
    add('mel', `mel_${String(m).padStart(2, '0')}_rel_db`, `log-mel band ${m} relative to the frame's mean band level (dB)`);
  }
  for (let m = 0; m < N_MELS; m++) {
    add('mel', `mel_${String(m).padStart(2, '0')}_std_db`, `log-mel band ${m}: variation over time (dB)`);
  }
  for (let k = 1; k < N_MFCC; k++) add('mfcc', `mfcc_${k}_mean`, `MFCC ${k} (spectral shape): mean`);
  for (let k = 1; k < N_MFCC; k++) add('mfcc', `mfcc_${k}_std`, `MFCC ${k}: variation over frames`);
  for (let k = 1; k <= 12; k++) add('mfcc', `mfcc_delta_${k}_std`, `change of MFCC ${k} between frames: spread`);
  for (const [env, what] of [
    ['env', 'broadband'],
    ['envhf', 'above-2 kHz (bearing resonance)'],
  ]) {
    add('envelope', `${env}_peak_hz`, `strongest repetition rate in the ${what} envelope, Hz`);
    add('envelope', `${env}_peak_prominence_db`, `how far that repetition stands out of the ${what} envelope spectrum (dB)`);
    add('envelope', `${env}_periodicity`, `autocorrelation of the ${what} envelope at that repetition (0..1)`);
    add('envelope', `${env}_modulation_index`, `${what} envelope std/mean (how much the sound pulses)`);
    for (let b = 0; b < ENV_BANDS.length - 1; b++) {
      add(
        'envelope',
        `${env}_band_${ENV_BANDS[b]}_${ENV_BANDS[b + 1]}_db`,
        `${what} envelope modulation at ${ENV_BANDS[b]}-${ENV_BANDS[b + 1]} Hz relative to all modulation (dB)`,
      );
    }
    add('envelope', `${env}_at_1x_db`, `${what} envelope modulation at the running speed (dB of all modulation)`);
    add('envelope', `${env}_at_2x_db`, `${what} envelope modulation at twice the running speed (dB)`);
  }
  add('harmonic', 'speed_hz', 'estimated running speed (fundamental of the harmonic series), Hz');
  add('harmonic', 'speed_salience_db', 'how clearly the harmonic series stands out (mean peak prominence, dB)');
  for (let k = 1; k <= N_HARMONICS; k++) {
    add('harmonic', `harm_${k}x_db`, `energy at ${k}x running speed relative to the total (dB)`);
  }
  add('harmonic', 'harmonic_energy_db', 'energy in the first 12 harmonics relative to the total (dB)');
  add('harmonic', 'odd_even_db', 'odd over even harmonics (dB): misalignment and looseness shift it');
  add('harmonic', 'subharm_0.5x_db', 'energy at half the running speed (dB): looseness, rubbing');
  add('harmonic', 'subharm_1.5x_db', 'energy at 1.5x running speed (dB): looseness');
  add('harmonic', 'subharm_2.5x_db', 'energy at 2.5x running speed (dB): looseness');
  add('harmonic', 'hum_100_db', 'energy at 100 Hz (50 Hz mains, 2x) relative to the total (dB)');
  add('harmonic', 'hum_120_db', 'energy at 120 Hz (60 Hz mains, 2x) relative to the total (dB)');
  add('tonal', 'flatness_long', 'flatness of the clip-average spectrum (1 = white noise)');
  add('tonal', 'tonal_peak_count', 'number of tones standing 10 dB out of the spectrum');
  add('tonal', 'tonal_energy_db', 'energy in those tones relative to the total (dB)');
  add('tonal', 'tonal_max_prominence_db', 'prominence of the strongest tone (dB)');
  for (let i = 1; i <= 3; i++)
    add('tonal', `tonal_peak${i}_hz`, `frequency of the ${['', 'most', '2nd most', '3rd most'][i]} prominent tone, Hz`);
  add('tonal', 'tonal_peak1_bandwidth_hz', 'width of the most prominent tone at -3 dB (wobble), Hz');
  for (const [lo, hi] of [
    [0.5, 2],
    [2, 6],
    [6, 15],
  ]) {
    add('modulation', `loudness_mod_${lo}_${hi}_db`, `loudness fluctuation at ${lo}-${hi} Hz relative to all fluctuation (dB)`);
  }
  return c;
}

export const FEATURES: readonly FeatureInfo[] = Object.freeze(buildCatalog());
export const FEATURE_NAMES: readonly string[] = Object.freeze(FEATURES.map((f) => f.name));
const INDEX = new Map(FEATURE_NAMES.map((n, i) => [n, i]));
export const FEATURE_COUNT = FEATURE_NAMES.length;

export class FeatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureError';
  }
}

const mels = melFilters(N_MELS, FRAME, FEATURE_SAMPLE_RATE, 20, 8000);
const dct = dctMatrix(N_MFCC, N_MELS);

/** Computes the 301 features of a 16 kHz mono clip (≥ 1 s). Throws FeatureError on unusable input. */
export function extractFeatures(pcm: Float32Array): Float64Array {
  return analyzeClip(pcm).features;
}

export interface ClipAnalysis {
  readonly features: Float64Array;
  /** The 64-band log-mel (dB, floor 100 dB under each frame's power), frame-major [frames × 64]. */
  readonly logmel: Float32Array;
  readonly frames: number;
}

/** Features plus the log-mel matrix they were computed from (the autoencoder's input). */
export function analyzeClip(pcm: Float32Array): ClipAnalysis {
  if (!(pcm instanceof Float32Array)) throw new FeatureError('features: PCM must be a Float32Array');
  if (pcm.length < MIN_SAMPLES) {
    throw new FeatureError(`features: clip too short (${pcm.length} samples; need at least ${MIN_SAMPLES} = 1 s at 16 kHz)`);
  }
  for (let i = 0; i < pcm.length; i++) {
    if (!Number.isFinite(pcm[i])) throw new FeatureError(`features: sample ${i} is not a finite number`);
  }
  const out = new Float64Array(FEATURE_COUNT).fill(Number.NaN);
  const set = (name: string, v: number) => {
    const i = INDEX.get(name);
    if (i === undefined) throw new Error(`feature ${name} is not in the catalog`);
    out[i] = Number.isFinite(v) ? v : 0;
  };

  const sr = FEATURE_SAMPLE_RATE;
  const n = pcm.length;
  const dc = mean(pcm);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = pcm[i] - dc;

  timeFeatures(x, set);
  const nFrames = 1 + Math.floor((n - FRAME) / HOP);
  const logmel = new Float32Array(nFrames * N_MELS);
  const frameDb = frameFeatures(x, set);
  const speed = harmonicFeatures(x, set);
  envelopeFeatures(x, speed, set);
  modulationFeatures(frameDb, set);

  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i])) throw new Error(`feature ${FEATURE_NAMES[i]} was not computed`);
  }
  return { features: out, logmel, frames: nFrames };

  function timeFeatures(x: Float64Array, set: (n: string, v: number) => void) {
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    let peak = 0;
    let zc = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const v2 = v * v;
      m2 += v2;
      m3 += v2 * v;
      m4 += v2 * v2;
      if (Math.abs(v) > peak) peak = Math.abs(v);
      if (i > 0 && v >= 0 !== x[i - 1] >= 0) zc++;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    const rms = Math.sqrt(m2);
    let beyond = 0;
    for (let i = 0; i < n; i++) if (Math.abs(x[i]) > 4 * rms) beyond++;
    set('rms_db', db(m2));
    set('peak_db', db(peak * peak));
    set('crest_factor_db', rms > 0 ? 20 * Math.log10(peak / rms) : 0);
    set('kurtosis', m2 > 0 ? m4 / (m2 * m2) : 0);
    set('skewness', m2 > 0 ? m3 / m2 ** 1.5 : 0);
    set('zcr', (zc * sr) / n);
    set('impulsiveness', rms > 0 ? beyond / n : 0);
  }

  /** Per-frame spectral features; returns each frame's level (dB) for the modulation features. */
  function frameFeatures(x: Float64Array, set: (n: string, v: number) => void): Float64Array {
    const bins = FRAME / 2 + 1;
    const binHz = sr / FRAME;
    const p = new Float64Array(bins);
    const prevNorm = new Float64Array(bins);
    const avgP = new Float64Array(bins);
    const scratch = makeScratch(FRAME);
    const stats: Record<string, Float64Array> = {};
    for (const name of [
      'centroid_hz',
      'bandwidth_hz',
      'rolloff85_hz',
      'rolloff95_hz',
      'flatness',
      'entropy',
      'flux',
      'slope_db_per_khz',
      'peakiness_db',
      'hf_ratio_db',
    ]) {
      stats[name] = new Float64Array(nFrames);
    }
    const nContrast = CONTRAST_EDGES.length - 1;
    const contrast = Array.from({ length: nContrast }, () => new Float64Array(nFrames));
    const melRel = Array.from({ length: N_MELS }, () => new Float64Array(nFrames));
    const melDb = Array.from({ length: N_MELS }, () => new Float64Array(nFrames));
    const mfcc = Array.from({ length: N_MFCC }, () => new Float64Array(nFrames));
    const frameDb = new Float64Array(nFrames);
    const frameRms = new Float64Array(nFrames);
    const frameKurt = new Float64Array(nFrames);
    const frameCrest = new Float64Array(nFrames);
    const hf0 = Math.ceil(2000 / binHz);
    // Slope regression x-values (kHz) are the same every frame.
    const fk = Float64Array.from({ length: bins }, (_, k) => (k * binHz) / 1000);
    const fkMean = mean(fk);
    let fkVar = 0;
    for (let k = 0; k < bins; k++) fkVar += (fk[k] - fkMean) ** 2;
    const mlog = new Float64Array(N_MELS);
    const sorted = new Float64Array(bins);

    for (let t = 0; t < nFrames; t++) {
      const start = t * HOP;
      let e2 = 0;
      let e4 = 0;
      let pk = 0;
      for (let i = 0; i < FRAME; i++) {
        const v = x[start + i];
        e2 += v * v;
        e4 += v ** 4;
        if (Math.abs(v) > pk) pk = Math.abs(v);
      }
      e2 /= FRAME;
      e4 /= FRAME;
      frameRms[t] = Math.sqrt(e2);
      frameDb[t] = db(e2);
      frameKurt[t] = e2 > 0 ? e4 / (e2 * e2) : 0;
      frameCrest[t] = e2 > 0 ? 20 * Math.log10(pk / Math.sqrt(e2)) : 0;

      powerSpectrumAt(x, start, FRAME, FRAME, p, scratch);
      // A floor relative to the frame's power keeps log-domain features level-invariant.
      let raw = 0;
      for (let k = 0; k < bins; k++) raw += p[k];
      const eps = raw * 1e-15 + 1e-30;
      let total = 0;
      let magSum = 0;
      let cen = 0;
      let maxP = 0;
      let hf = 0;
      let logSum = 0;
      for (let k = 0; k < bins; k++) {
        const pw = p[k] + eps;
        avgP[k] += p[k];
        total += pw;
        const mag = Math.sqrt(pw);
        magSum += mag;
        cen += k * binHz * mag;
        if (pw > maxP) maxP = pw;
        if (k >= hf0) hf += pw;
        if (k > 0) logSum += Math.log(pw);
      }
      cen /= magSum;
      let bw = 0;
      let ent = 0;
      let flux = 0;
      let cum = 0;
      let r85 = -1;
      let r95 = -1;
      let cov = 0;
      for (let k = 0; k < bins; k++) {
        const pw = p[k] + eps;
        const mag = Math.sqrt(pw);
        const f = k * binHz;
        bw += (f - cen) ** 2 * mag;
        const q = pw / total;
        ent -= q * Math.log(q);
        const norm = mag / magSum;
        if (t > 0) flux += (norm - prevNorm[k]) ** 2;
        prevNorm[k] = norm;
        cum += pw;
        if (r85 < 0 && cum >= 0.85 * total) r85 = f;
        if (r95 < 0 && cum >= 0.95 * total) r95 = f;
        cov += (fk[k] - fkMean) * 10 * Math.log10(pw);
      }
      stats.centroid_hz[t] = cen;
      stats.bandwidth_hz[t] = Math.sqrt(bw / magSum);
      stats.rolloff85_hz[t] = r85;
      stats.rolloff95_hz[t] = r95;
      stats.flatness[t] = Math.exp(logSum / (bins - 1)) / ((total - p[0]) / (bins - 1));
      stats.entropy[t] = ent / Math.log(bins);
      stats.flux[t] = Math.sqrt(flux);
      stats.slope_db_per_khz[t] = cov / fkVar;
      stats.peakiness_db[t] = db(maxP / (total / bins));
      stats.hf_ratio_db[t] = db(hf / total);

      for (let b = 0; b < nContrast; b++) {
        const lo = Math.max(1, Math.round(CONTRAST_EDGES[b] / binHz));
        const hi = Math.min(bins - 1, Math.round(CONTRAST_EDGES[b + 1] / binHz));
        const len = hi - lo;
        const s = sorted.subarray(0, len);
        for (let k = 0; k < len; k++) s[k] = p[lo + k] + eps;
        s.sort();
        const q = Math.max(1, Math.round(0.2 * len));
        let valley = 0;
        let peakE = 0;
        for (let k = 0; k < q; k++) {
          valley += s[k];
          peakE += s[len - 1 - k];
        }
        contrast[b][t] = db(peakE / valley);
      }

      let mlogMean = 0;
      for (let m = 0; m < N_MELS; m++) {
        const f = mels[m];
        let acc = 0;
        for (let j = 0; j < f.weights.length; j++) acc += f.weights[j] * p[f.start + j];
        // Floor relative to the frame's power (-100 dB), so scaling the input shifts every band
        // equally and the relative features stay exactly level-invariant.
        mlog[m] = 10 * Math.log10(Math.max(acc, 1e-10 * total));
        mlogMean += mlog[m];
      }
      mlogMean /= N_MELS;
      for (let m = 0; m < N_MELS; m++) {
        logmel[t * N_MELS + m] = mlog[m];
        melDb[m][t] = mlog[m];
        melRel[m][t] = mlog[m] - mlogMean;
      }
      for (let c = 0; c < N_MFCC; c++) {
        const row = dct[c];
        let acc = 0;
        for (let m = 0; m < N_MELS; m++) acc += row[m] * mlog[m];
        mfcc[c][t] = acc;
      }
    }

    const rmsMean = mean(frameRms);
    set('frame_rms_cv', rmsMean > 0 ? std(frameRms, rmsMean) / rmsMean : 0);
    set('frame_db_range', quantile(frameDb, 0.95) - quantile(frameDb, 0.05));
    set('frame_kurtosis_mean', mean(frameKurt));
    set('frame_crest_mean_db', mean(frameCrest));
    for (const [name, v] of Object.entries(stats)) {
      // Flux is undefined for the first frame.
      const series = name === 'flux' && v.length > 1 ? v.subarray(1) : v;
      const m = mean(series);
      set(`spec_${name}_mean`, m);
      set(`spec_${name}_std`, std(series, m));
    }
    for (let b = 0; b < nContrast; b++) {
      const m = mean(contrast[b]);
      set(`contrast_${b}_mean`, m);
      set(`contrast_${b}_std`, std(contrast[b], m));
    }
    let avgTotal = 0;
    for (let k = 0; k < bins; k++) avgTotal += avgP[k];
    avgTotal += 1e-20;
    const bandE = (lo: number, hi: number) => {
      let s = 0;
      for (let k = Math.round(lo / binHz); k < Math.min(bins, Math.round(hi / binHz)); k++) s += avgP[k];
      return s;
    };
    for (let b = 0; b < 16; b++)
      set(`band_${b * 500}_${(b + 1) * 500}_db`, db(bandE(b * 500, (b + 1) * 500 + (b === 15 ? binHz : 0)) / avgTotal));
    set('low_high_ratio_db', db((bandE(0, 500) + 1e-15 * avgTotal) / (bandE(2000, 8000 + binHz) + 1e-15 * avgTotal)));
    set('mid_ratio_db', db(bandE(500, 2000) / avgTotal));
    for (let m = 0; m < N_MELS; m++) {
      const id = String(m).padStart(2, '0');
      set(`mel_${id}_rel_db`, mean(melRel[m]));
      set(`mel_${id}_std_db`, std(melDb[m]));
    }
    for (let c = 1; c < N_MFCC; c++) {
      const m = mean(mfcc[c]);
      set(`mfcc_${c}_mean`, m);
      set(`mfcc_${c}_std`, std(mfcc[c], m));
    }
    for (let c = 1; c <= 12; c++) {
      const d = new Float64Array(Math.max(0, nFrames - 2));
      for (let t = 1; t < nFrames - 1; t++) d[t - 1] = (mfcc[c][t + 1] - mfcc[c][t - 1]) / 2;
      set(`mfcc_delta_${c}_std`, std(d));
    }
    // Flatness of the frame-averaged spectrum: averaging removes periodogram scatter, so white
    // noise comes out near 1 (a single periodogram's flatness is ~0.56 for any noise).
    let logSum = 0;
    let linSum = 0;
    for (let k = 1; k < bins; k++) {
      const v = avgP[k] / nFrames + 1e-20;
      logSum += Math.log(v);
      linSum += v;
    }
    set('flatness_long', Math.exp(logSum / (bins - 1)) / (linSum / (bins - 1)));
    return frameDb;
  }

  /** Running speed, its harmonics and the tonal peaks, from the long Welch spectrum. Returns the speed in Hz. */
  function harmonicFeatures(x: Float64Array, set: (n: string, v: number) => void): number {
    const psd = welch(x, WELCH_SEG);
    const bins = psd.length;
    const binHz = sr / WELCH_SEG;
    let total = 1e-20;
    for (let k = 1; k < bins; k++) total += psd[k];
    const dbs = new Float64Array(bins);
    for (let k = 0; k < bins; k++) dbs[k] = db(psd[k] / total);
    // Prominence: level over the median of ±16 bins (~±31 Hz) around it.
    const HALF = 16;
    const prom = new Float64Array(bins);
    const win = new Float64Array(2 * HALF + 1);
    for (let k = 1; k < bins; k++) {
      const lo = Math.max(1, k - HALF);
      const hi = Math.min(bins - 1, k + HALF);
      const w = win.subarray(0, hi - lo + 1);
      for (let j = lo; j <= hi; j++) w[j - lo] = dbs[j];
      w.sort();
      prom[k] = dbs[k] - w[w.length >> 1];
    }
    const nearBin = (f: number) => Math.round(f / binHz);
    const promAt = (f: number) => {
      const k = nearBin(f);
      if (k < 1 || k >= bins - 1) return 0;
      return Math.max(prom[k - 1], prom[k], prom[k + 1]);
    };
    const powerAt = (f: number) => {
      const k = nearBin(f);
      if (k < 1 || k >= bins - 1) return 0;
      return psd[k - 1] + psd[k] + psd[k + 1];
    };
    // Running speed: the candidate whose first six harmonics stand out most (clipped so one loud
    // tone cannot win alone); ties are broken by total harmonic level.
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let f = 15; f <= 100.0001; f += 0.1) {
      let s = 0;
      let lvl = 0;
      for (let h = 1; h <= 6; h++) {
        s += Math.min(30, Math.max(0, promAt(h * f)));
        lvl += db(powerAt(h * f) / total);
      }
      const score = s / 6 + 1e-4 * lvl;
      if (score > bestScore) {
        bestScore = score;
        best = f;
      }
    }
    // Refine below one bin: each clear harmonic's interpolated peak, divided by its order,
    // estimates the speed; weight by prominence.
    let wSum = 0;
    let fSum = 0;
    for (let h = 1; h <= 6; h++) {
      let k = nearBin(h * best);
      if (k < 2 || k >= bins - 2) continue;
      if (psd[k - 1] > psd[k]) k--;
      if (psd[k + 1] > psd[k]) k++;
      if (prom[k] < 6 || psd[k] < psd[k - 1] || psd[k] < psd[k + 1]) continue;
      const a = dbs[k - 1];
      const b = dbs[k];
      const c = dbs[k + 1];
      const den = a - 2 * b + c;
      const fh = (k + (den !== 0 ? (0.5 * (a - c)) / den : 0)) * binHz;
      const w = Math.min(30, prom[k]);
      wSum += w;
      fSum += (w * fh) / h;
    }
    if (wSum > 0) best = fSum / wSum;
    set('speed_hz', best);
    set('speed_salience_db', bestScore);
    let harmE = 0;
    let odd = 0;
    let even = 0;
    for (let h = 1; h <= N_HARMONICS; h++) {
      const e = powerAt(h * best);
      harmE += e;
      if (h % 2) odd += e;
      else even += e;
      set(`harm_${h}x_db`, db(e / total));
    }
    set('harmonic_energy_db', db(harmE / total));
    set('odd_even_db', db((odd + 1e-15 * total) / (even + 1e-15 * total)));
    set('subharm_0.5x_db', db(powerAt(0.5 * best) / total));
    set('subharm_1.5x_db', db(powerAt(1.5 * best) / total));
    set('subharm_2.5x_db', db(powerAt(2.5 * best) / total));
    set('hum_100_db', db(powerAt(100) / total));
    set('hum_120_db', db(powerAt(120) / total));

    const peaks: { k: number; prom: number }[] = [];
    const kLo = Math.ceil(20 / binHz);
    const kHi = Math.floor(7900 / binHz);
    let tonalE = 0;
    for (let k = Math.max(kLo, 2); k < kHi; k++) {
      if (psd[k] > psd[k - 1] && psd[k] >= psd[k + 1] && prom[k] > 10) {
        peaks.push({ k, prom: prom[k] });
        tonalE += psd[k - 1] + psd[k] + psd[k + 1];
      }
    }
    peaks.sort((a, b) => b.prom - a.prom || a.k - b.k);
    set('tonal_peak_count', peaks.length);
    set('tonal_energy_db', db(tonalE / total));
    set('tonal_max_prominence_db', peaks.length ? peaks[0].prom : 0);
    for (let i = 0; i < 3; i++) set(`tonal_peak${i + 1}_hz`, peaks[i] ? peaks[i].k * binHz : 0);
    let bw = 0;
    if (peaks.length) {
      const k0 = peaks[0].k;
      const half = psd[k0] / 2;
      let a = k0;
      let b = k0;
      while (a > 1 && psd[a - 1] > half) a--;
      while (b < bins - 2 && psd[b + 1] > half) b++;
      bw = (b - a + 1) * binHz;
    }
    set('tonal_peak1_bandwidth_hz', bw);
    return best;
  }

  function envelopeFeatures(x: Float64Array, speed: number, set: (n: string, v: number) => void) {
    const hp = Float64Array.from(x);
    highpassInPlace(hp, 2000, sr, 0.5412);
    highpassInPlace(hp, 2000, sr, 1.3066);
    for (const [prefix, signal] of [
      ['env', x],
      ['envhf', hp],
    ] as const) {
      const env = rectifiedEnvelope(signal, ENV_FACTOR);
      const envRate = sr / ENV_FACTOR;
      const m = mean(env);
      set(`${prefix}_modulation_index`, m > 0 ? std(env, m) / m : 0);
      const ac = new Float64Array(env.length);
      for (let i = 0; i < env.length; i++) ac[i] = env[i] - m;
      const size = nextPow2(env.length);
      const spec = new Float64Array(size / 2 + 1);
      powerSpectrumAt(ac, 0, env.length, size, spec, makeScratch(size));
      const binHz = envRate / size;
      const lo = Math.ceil(2 / binHz);
      const hi = Math.min(spec.length - 1, Math.floor(450 / binHz));
      let total = 1e-30;
      for (let k = lo; k <= hi; k++) total += spec[k];
      const band = spec.subarray(lo, hi + 1);
      // The repetition rate is the strongest autocorrelation peak: a periodic impulse train has
      // a flat comb of equal envelope-spectrum lines, but its biased autocorrelation is highest
      // at the fundamental period.
      const minLag = Math.floor(envRate / 450);
      const maxLag = Math.ceil(envRate / 2);
      const acf = autocorrelation(ac, maxLag);
      let lag = -1;
      for (let l = Math.max(2, minLag); l < acf.length - 1; l++) {
        if (acf[l] > acf[l - 1] && acf[l] >= acf[l + 1] && (lag < 0 || acf[l] > acf[lag] + 1e-9)) lag = l;
      }
      // Octave check: a period that is not a whole number of envelope samples makes a multiple of
      // it look cleaner; prefer the shortest sub-multiple whose peak is nearly as high.
      if (lag > 0) {
        for (const div of [4, 3, 2]) {
          const target = lag / div;
          if (target < Math.max(2, minLag)) continue;
          let bestL = -1;
          for (let l = Math.max(2, Math.floor(target) - 1); l <= Math.ceil(target) + 1 && l < acf.length - 1; l++) {
            if (acf[l] >= acf[l - 1] && acf[l] >= acf[l + 1] && (bestL < 0 || acf[l] > acf[bestL])) bestL = l;
          }
          if (bestL > 0 && acf[bestL] >= 0.8 * acf[lag]) {
            lag = bestL;
            break;
          }
        }
      }
      let rate = 0;
      let periodicity = 0;
      let peakK = lo;
      if (lag > 0) {
        const a = acf[lag - 1];
        const b = acf[lag];
        const c = acf[lag + 1];
        const den = a - 2 * b + c;
        const offset = den !== 0 ? (0.5 * (a - c)) / den : 0;
        rate = envRate / (lag + offset);
        periodicity = b;
        peakK = Math.min(hi, Math.max(lo, Math.round(rate / binHz)));
        for (const k of [peakK - 1, peakK + 1]) if (k >= lo && k <= hi && spec[k] > spec[peakK]) peakK = k;
      }
      set(`${prefix}_peak_hz`, rate);
      set(`${prefix}_periodicity`, periodicity);
      const bandDb = Float64Array.from(band, (v) => db(v));
      set(`${prefix}_peak_prominence_db`, db(spec[peakK]) - median(bandDb));
      for (let b = 0; b < ENV_BANDS.length - 1; b++) {
        let e = 0;
        for (let k = Math.ceil(ENV_BANDS[b] / binHz); k < Math.min(hi + 1, Math.ceil(ENV_BANDS[b + 1] / binHz)); k++)
          e += spec[k];
        set(`${prefix}_band_${ENV_BANDS[b]}_${ENV_BANDS[b + 1]}_db`, db(e / total));
      }
      const around = (f: number) => {
        const k = Math.round(f / binHz);
        const w = Math.max(1, Math.round(1 / binHz));
        let e = 0;
        for (let j = Math.max(lo, k - w); j <= Math.min(hi, k + w); j++) e += spec[j];
        return db(e / total);
      };
      set(`${prefix}_at_1x_db`, around(speed));
      set(`${prefix}_at_2x_db`, around(2 * speed));
    }
  }

  function modulationFeatures(frameDb: Float64Array, set: (n: string, v: number) => void) {
    const rate = sr / HOP;
    const m = mean(frameDb);
    const ac = Float64Array.from(frameDb, (v) => v - m);
    const size = nextPow2(Math.max(ac.length, 64));
    const spec = new Float64Array(size / 2 + 1);
    powerSpectrumAt(ac, 0, ac.length, size, spec, makeScratch(size));
    let total = 1e-12;
    for (let k = 1; k < spec.length; k++) total += spec[k];
    for (const [lo, hi] of [
      [0.5, 2],
      [2, 6],
      [6, 15],
    ]) {
      let e = 0;
      for (let k = Math.ceil((lo * size) / rate); k < Math.min(spec.length, Math.ceil((hi * size) / rate)); k++) e += spec[k];
      set(`loudness_mod_${lo}_${hi}_db`, db(e / total + 1e-12));
    }
  }
}

/** Convenience for tests and explanations: the value of one named feature. */
export function featureValue(vector: ArrayLike<number>, name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`unknown feature ${name}`);
  return vector[i];
}

/** Indices of the features detectors use by default (the level-invariant ones). */
export const LEVEL_INVARIANT_INDICES: readonly number[] = Object.freeze(
  FEATURES.flatMap((f, i) => (f.levelInvariant ? [i] : [])),
);
