import { FRONTEND } from './config.ts';
import { pcmToFloat, readGolden } from './golden.ts';
import { computeLogMel } from './logmel.ts';

export interface GoldenCaseReport {
  readonly name: string;
  readonly ok: boolean;
  /** Largest |reference − stored| in dB over the case's elements. */
  readonly maxAbsDiff: number;
  readonly problem?: string;
}

/**
 * Recomputes every case of a golden folder with the current front end and compares: stale
 * vectors (after a change to config.ts or logmel.ts) must be regenerated before the firmware
 * tests can mean anything. Also catches a config mismatch between the folder and FRONTEND.
 */
export async function compareGolden(dir: string, compute = computeLogMel): Promise<GoldenCaseReport[]> {
  const { index, cases } = await readGolden(dir);
  const sameConfig = JSON.stringify(index.frontend) === JSON.stringify({ ...FRONTEND });
  return cases.map((c) => {
    const lm = compute(pcmToFloat(c.pcm), FRONTEND);
    if (!sameConfig)
      return { name: c.name, ok: false, maxAbsDiff: Number.NaN, problem: 'index.json frontend differs from config.ts' };
    if (lm.frames !== c.frames || lm.nMels !== c.nMels) {
      return {
        name: c.name,
        ok: false,
        maxAbsDiff: Number.NaN,
        problem: `shape ${lm.frames}x${lm.nMels}, stored ${c.frames}x${c.nMels}`,
      };
    }
    let max = 0;
    for (let i = 0; i < lm.data.length; i++) max = Math.max(max, Math.abs(lm.data[i] - c.features[i]));
    return { name: c.name, ok: max <= c.tolerance, maxAbsDiff: max };
  });
}
