/**
 * Small synthetic clips for the ensemble's tests: a couple of machines, short clips, rendered
 * once per test file (a few hundred ms of CPU), so the detector tests stay lean.
 */
import { type FaultId, renderClip, sampleMachine } from '../../../edge-model/src/synth/index.ts';
import { analyzeClip, type ClipAnalysis } from './features.ts';

export const machines = [0, 1].map((i) => sampleMachine(`ensemble-test/m${i}`, `m${i}`));

export function normalClip(i: number, durationS = 1.5): Float32Array {
  return renderClip({ machine: machines[i % machines.length], seed: `n${i}`, durationS, snrDb: 25, load: 0.7 }).pcm;
}

export function faultyClip(fault: FaultId, i = 0, durationS = 1.5, severity = 1): Float32Array {
  return renderClip({
    machine: machines[i % machines.length],
    seed: `f${fault}${i}`,
    durationS,
    fault,
    severity,
    snrDb: 25,
    load: 0.7,
  }).pcm;
}

export function analyses(pcms: readonly Float32Array[]): ClipAnalysis[] {
  return pcms.map((p) => analyzeClip(p));
}
