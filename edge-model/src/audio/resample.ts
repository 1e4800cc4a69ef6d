/**
 * Band-limited sample-rate conversion by a rational factor L/M with a Kaiser-windowed sinc
 * (polyphase: each output sample is a dot product of the input with one phase of the kernel).
 *
 * The anti-aliasing filter's stopband starts exactly at the lower of the two Nyquist
 * frequencies, so nothing above the new Nyquist can alias into the band with less than
 * `stopbandDb` of attenuation; the passband is flat (ripple ~ 10^(-stopbandDb/20)) up to
 * `passband` x that Nyquist. The defaults (0.9, 90 dB) cost ~320 taps per output sample for
 * 44.1/48 kHz -> 16 kHz, i.e. a few ms per second of audio.
 */

export interface ResampleOptions {
  /** Passband edge as a fraction of min(fromRate, toRate)/2. Default 0.9. */
  readonly passband?: number;
  /** Stopband attenuation in dB (Kaiser design). Default 90. */
  readonly stopbandDb?: number;
}

/** Finer kernel tables than this are replaced by linear interpolation between table entries. */
const MAX_TABLE_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for the β used). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Output length: every output instant n/toRate lies inside the input's span [0, N/fromRate). */
export function resampledLength(inputLength: number, fromRate: number, toRate: number): number {
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  return Math.ceil((inputLength * L) / M);
}

interface Kernel {
  /** Kernel values at t = (i - centre) / resolution input samples. */
  table: Float64Array;
  centre: number;
  resolution: number;
  /** Input samples on each side of the output instant that can have non-zero weight. */
  reach: number;
}

const kernels = new Map<string, Kernel>();
const polyphases = new WeakMap<Float64Array, Float64Array[]>();

/**
 * The kernel regrouped by phase so each output reads one contiguous coefficient array (the
 * strided walk through the full table was cache-bound): phase r, tap i weighs input sample
 * jc - reach + 1 + i for an output at jc + r/L.
 */
function polyphase(table: Float64Array, centre: number, L: number, reach: number): Float64Array[] {
  const cached = polyphases.get(table);
  if (cached) return cached;
  const phases = Array.from({ length: L }, (_, r) =>
    Float64Array.from({ length: 2 * reach }, (_, i) => table[r - (i - reach + 1) * L + centre]),
  );
  polyphases.set(table, phases);
  return phases;
}

function designKernel(fromRate: number, toRate: number, L: number, passband: number, stopbandDb: number): Kernel {
  const key = `${fromRate}/${toRate}/${passband}/${stopbandDb}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const nyquist = Math.min(fromRate, toRate) / 2;
  const cutoffHz = ((1 + passband) / 2) * nyquist;
  const transitionHz = (1 - passband) * nyquist;
  // Kaiser's formulas for the window's β and length for a given attenuation and transition width.
  const A = stopbandDb;
  const beta = A > 50 ? 0.1102 * (A - 8.7) : A >= 21 ? 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21) : 0;
  const dOmega = (2 * Math.PI * transitionHz) / fromRate;
  const taps = Math.ceil((A - 7.95) / (2.285 * dOmega)) + 1;
  const half = taps / 2;
  const reach = Math.ceil(half) + 1;
  const resolution = Math.min(L, MAX_TABLE_PHASES);
  const centre = reach * resolution;
  const table = new Float64Array(2 * centre + 1);
  const r = (2 * cutoffHz) / fromRate;
  const i0beta = besselI0(beta);
  for (let i = 0; i < table.length; i++) {
    const t = (i - centre) / resolution;
    if (Math.abs(t) > half) continue;
    const x = r * t;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const u = t / half;
    table[i] = r * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0beta);
  }
  const k = { table, centre, resolution, reach };
  if (kernels.size > 16) kernels.clear();
  kernels.set(key, k);
  return k;
}

/**
 * Resamples `pcm` from `fromRate` to `toRate` (positive integers). Returns a new array of
 * `resampledLength(pcm.length, fromRate, toRate)` samples; same rate returns a copy. The signal is
 * treated as zero outside its span, so the first and last ~10 ms fade in/out slightly.
 */
export function resample(pcm: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Float32Array {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`resample: ${name} must be a positive integer, got ${rate}`);
  }
  const passband = opts.passband ?? 0.9;
  const stopbandDb = opts.stopbandDb ?? 90;
  if (!(passband > 0 && passband < 1)) throw new RangeError(`resample: passband must be in (0, 1), got ${passband}`);
  if (!(stopbandDb >= 21 && stopbandDb <= 200))
    throw new RangeError(`resample: stopbandDb must be in 21..200, got ${stopbandDb}`);
  if (fromRate === toRate) return pcm.slice();
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  const { table, centre, resolution, reach } = designKernel(fromRate, toRate, L, passband, stopbandDb);
  const n = pcm.length;
  const out = new Float32Array(resampledLength(n, fromRate, toRate));
  const exact = resolution === L;
  const step = resolution / L;
  const phases = exact ? polyphase(table, centre, L, reach) : undefined;
  for (let o = 0; o < out.length; o++) {
    // Output instant o*M/L input samples, kept as the integer o*M (units of 1/L sample) for exactness.
    const num = o * M;
    const jc = Math.floor(num / L);
    const j0 = Math.max(0, jc - reach + 1);
    const j1 = Math.min(n - 1, jc + reach);
    let acc = 0;
    if (phases) {
      const h = phases[num - jc * L];
      const first = jc - reach + 1;
      for (let j = j0; j <= j1; j++) acc += pcm[j] * h[j - first];
    } else {
      for (let j = j0; j <= j1; j++) {
        const pos = (num - j * L) * step + centre;
        const i = Math.floor(pos);
        const f = pos - i;
        acc += pcm[j] * (table[i] + f * ((table[i + 1] ?? 0) - table[i]));
      }
    }
    out[o] = acc;
  }
  return out;
}
