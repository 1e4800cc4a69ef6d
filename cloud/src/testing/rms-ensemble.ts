/**
 * A transparent stand-in for contract G in tests of the queue and the thread (not of the model):
 * the score is the clip's RMS / 0.1. A first sample of exactly 0.5 makes the thread exit, so the
 * crash path can be tested.
 */
import type { CloudVerdict, Ensemble } from '../rescore/worker.ts';

export function rmsVerdict(pcm: Float32Array): CloudVerdict {
  let e = 0;
  for (const x of pcm) e += x * x;
  const rms = Math.sqrt(e / Math.max(1, pcm.length));
  const score = rms / 0.1;
  return {
    version: 'test-rms-1',
    score,
    state: score >= 1.5 ? 'anomalous' : score >= 0.8 ? 'borderline' : 'normal',
    fault: score >= 1.5 ? { type: 'bearing', confidence: 0.7 } : null,
    explanation: [{ feature: 'rms', value: rms, z: score, direction: 'high' }],
    detectors: { rms: score },
  };
}

export async function loadEnsemble(dir: string): Promise<Ensemble> {
  if (dir.includes('missing')) throw new Error(`cannot read ${dir}/ensemble.json`);
  return {
    version: 'test-rms-1',
    rescore(pcm) {
      if (pcm[0] === 0.5) process.exit(3);
      if (pcm.length === 0) throw new RangeError('empty clip');
      return rmsVerdict(pcm);
    },
  };
}
