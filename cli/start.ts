/**
 * `npm start` until the cloud exists: the edge pipeline end to end on synthetic audio. Synthesises
 * a small compressor dataset (train/normal + test/{normal, six faults}), fits the baseline
 * anomaly scorer on the normal training clips through the log-mel front end, and prints how well
 * it separates each fault. Fast (well under 30 s) so a newcomer sees it work at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { formatReport } from '../edge-model/src/cli/eval.ts';
import { evaluate } from '../edge-model/src/eval/run.ts';
import { generateDataset } from '../edge-model/src/synth/dataset.ts';
import { numberFlag } from './errors.ts';
import { createProgress } from './progress.ts';

export default defineCommand({
  meta: { name: 'start', description: 'run the edge pipeline end to end on synthetic compressor audio and print what it found' },
  args: {
    seed: { type: 'string', description: 'random seed for the synthetic dataset (default 1)' },
    keep: { type: 'boolean', description: 'keep the synthetic dataset and print where it is' },
  },
  async run({ args }) {
    const seed = args.seed === undefined ? 1 : numberFlag('seed', args.seed, { min: 0, integer: true });
    const dir = await mkdtemp(join(tmpdir(), 'signalcraft-start-'));
    try {
      process.stdout.write(
        'Signalcraft edge pipeline on synthetic compressors\n' +
          '  1. synthesise 3 machines: 8 normal training clips each, then normal and faulty test clips (4 s, 16 kHz)\n' +
          '  2. log-mel front end (64 bands, 1024/512) -> per-band statistics -> Mahalanobis baseline fitted on normal clips\n' +
          '  3. score the test clips: ROC AUC and pAUC (DCASE, max FPR 0.1) per fault type\n\n',
      );
      const manifest = await generateDataset({
        outDir: dir,
        seed,
        machines: 3,
        clipsPerMachine: 8,
        testNormalPerMachine: 4,
        anomaliesPerFault: 2,
        durationS: 4,
        progress: createProgress('synth'),
      });
      const progress = createProgress('eval');
      const report = await evaluate({ dataDir: dir, progress });
      progress.done();
      const kinds = manifest.machines.map((m) => `${m.id}: ${m.kind}, ${m.mainsHz} Hz mains, ${m.rotationHzAtLoad07} Hz shaft`);
      process.stdout.write(`\nmachines\n  ${kinds.join('\n  ')}\n\n${formatReport(report)}`);
      process.stdout.write(
        '\nAUC 0.5 is chance, 1.0 is perfect. Severities are drawn from 0.2..1, so some faults are deliberately subtle.\n' +
          'Next: `signalcraft synth --out data/synth --seed 1` for a full dataset, `signalcraft eval --data data/synth`.\n',
      );
      if (args.keep) process.stdout.write(`dataset kept at ${dir}\n`);
    } finally {
      if (!args.keep) await rm(dir, { recursive: true, force: true });
    }
  },
});
