import { join } from 'node:path';
import { FRONTEND } from './config.ts';
import { pcmToFloat, readFloat32Le, readGolden } from './golden.ts';
import { computeLogMel, hannWindow, melFilterbank, powerSpectrum } from './logmel.ts';

export interface GoldenCaseReport {
  readonly name: string;
  readonly ok: boolean;
  /** Largest |reference − stored| in dB over the case's elements. */
  readonly maxAbsDiff: number;
  /** What maxAbsDiff is measured in: dB for feature cases. */
  readonly unit: 'dB' | 'abs' | 'rel. to peak';
  readonly problem?: string;
}

/**
 * Staleness threshold in dB: far below the C++ tolerance (any real change to the front end moves
 * features by much more), far above float64 differences between platforms' libm.
 */
export const STALE_DB = 1e-3;

/**
 * Recomputes every case of a golden folder with the current front end and compares: stale
 * vectors (after a change to config.ts or logmel.ts) must be regenerated before the firmware
 * tests can mean anything. Also catches a config mismatch between the folder and FRONTEND.
 * `compute` and `threshold` let a test check another implementation against the case tolerance.
 */
export async function compareGolden(
  dir: string,
  compute = computeLogMel,
  threshold: number | 'case-tolerance' = STALE_DB,
): Promise<GoldenCaseReport[]> {
  const { index, cases } = await readGolden(dir);
  const sameConfig = JSON.stringify(index.frontend) === JSON.stringify({ ...FRONTEND });
  const reports = cases.map((c): GoldenCaseReport => {
    const lm = compute(pcmToFloat(c.pcm), FRONTEND);
    if (!sameConfig)
      return {
        name: c.name,
        ok: false,
        maxAbsDiff: Number.NaN,
        unit: 'dB',
        problem: 'index.json frontend differs from config.ts',
      };
    if (lm.frames !== c.frames || lm.nMels !== c.nMels) {
      return {
        name: c.name,
        ok: false,
        maxAbsDiff: Number.NaN,
        unit: 'dB',
        problem: `shape ${lm.frames}x${lm.nMels}, stored ${c.frames}x${c.nMels}`,
      };
    }
    let max = 0;
    for (let i = 0; i < lm.data.length; i++) max = Math.max(max, Math.abs(lm.data[i] - c.features[i]));
    return { name: c.name, ok: max <= (threshold === 'case-tolerance' ? c.tolerance : threshold), maxAbsDiff: max, unit: 'dB' };
  });
  if (!index.intermediates)
    return [...reports, { name: 'intermediates', ok: false, maxAbsDiff: Number.NaN, unit: 'dB', problem: 'missing' }];
  return [...reports, ...(await compareIntermediates(dir, index, cases))];
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** The stored window, filterbank and power spectrum against the current reference. */
async function compareIntermediates(
  dir: string,
  index: Awaited<ReturnType<typeof readGolden>>['index'],
  cases: Awaited<ReturnType<typeof readGolden>>['cases'],
): Promise<GoldenCaseReport[]> {
  const im = index.intermediates;
  const bins = FRONTEND.fftSize / 2 + 1;
  const window = await readFloat32Le(join(dir, im.windowFile), FRONTEND.frameLength);
  const wDiff = maxDiff(window, hannWindow(FRONTEND.frameLength));
  const bank = melFilterbank(FRONTEND);
  const stored = await readFloat32Le(join(dir, im.filterbankFile), bank.length * bins);
  const bDiff = Math.max(...bank.map((w, m) => maxDiff(w, stored.subarray(m * bins, (m + 1) * bins))));
  const { case: name, frame, file } = im.powerSpectrum;
  const c = cases.find((x) => x.name === name);
  if (!c) return [{ name: 'power', ok: false, maxAbsDiff: Number.NaN, unit: 'dB', problem: `case ${name} missing` }];
  const at = frame * FRONTEND.hop;
  const want = powerSpectrum(pcmToFloat(c.pcm).subarray(at, at + FRONTEND.frameLength));
  const got = await readFloat32Le(join(dir, file), bins);
  const peak = Math.max(...want);
  const pRel = maxDiff(want, got) / peak;
  return [
    { name: 'window', ok: wDiff <= im.weightTolerance, maxAbsDiff: wDiff, unit: 'abs' },
    { name: 'filterbank', ok: bDiff <= im.weightTolerance, maxAbsDiff: bDiff, unit: 'abs' },
    { name: 'power', ok: pRel <= 1e-6, maxAbsDiff: pRel, unit: 'rel. to peak' },
  ];
}
