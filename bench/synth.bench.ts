/**
 * Synthetic audio and baseline speed: how many times faster than real time one core renders a
 * compressor clip, and fits/scores the Mahalanobis baseline (log-mel + statistics + distance).
 */
import { clipStatistics, fitBaseline, mahalanobis } from '../edge-model/src/eval/baseline.ts';
import { synthesizeClip } from '../edge-model/src/synth/clip.ts';
import { FAULT_IDS } from '../edge-model/src/synth/faults.ts';
import { sampleMachine } from '../edge-model/src/synth/machine.ts';
import { type BenchFigure, median } from './types.ts';

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const runs = quick ? 3 : 9;
  const durationS = 10;
  const machines = [
    sampleMachine('bench/recip', 'r', { kind: 'reciprocating' }),
    sampleMachine('bench/scroll', 's', { kind: 'scroll' }),
  ];
  const synthTimes: number[] = [];
  const clips: Float32Array[] = [];
  for (let r = 0; r < runs; r++) {
    const m = machines[r % 2];
    const fault = r % 3 === 0 ? null : FAULT_IDS[r % FAULT_IDS.length];
    const t = performance.now();
    clips.push(synthesizeClip({ machine: m, seed: r, durationS, fault, severity: 0.5 }));
    synthTimes.push((performance.now() - t) / 1000);
  }
  const statsTimes: number[] = [];
  const feats: Float64Array[] = [];
  for (const c of clips) {
    const t = performance.now();
    feats.push(clipStatistics(c));
    statsTimes.push((performance.now() - t) / 1000);
  }
  const model = fitBaseline(feats);
  const distTimes: number[] = [];
  for (const f of feats) {
    const t = performance.now();
    for (let k = 0; k < 100; k++) mahalanobis(model, f);
    distTimes.push((performance.now() - t) / 100);
  }
  return [
    {
      id: 'synth.realtime_factor',
      label: 'synth: 10 s compressor clip, rendered faster than real time',
      value: durationS / median(synthTimes),
      unit: 'x realtime',
      runs,
      detail: { secondsPerClip: synthTimes },
    },
    {
      id: 'baseline.features_realtime_factor',
      label: 'baseline: log-mel + clip statistics of a 10 s clip, faster than real time',
      value: durationS / median(statsTimes),
      unit: 'x realtime',
      runs,
    },
    {
      id: 'baseline.mahalanobis_ms',
      label: 'baseline: one 128-d Mahalanobis distance',
      // distTimes are milliseconds per call.
      value: median(distTimes) * 1000,
      unit: 'µs',
      runs,
    },
  ];
}
