/**
 * `signalcraft train-ensemble --data DIR --out DIR [--labels-from FILE|URL]`: trains the cloud
 * re-scoring ensemble on DIR's normal training clips, the fault classifier on synthetic fault
 * clips (plus technicians' labels), writes OUT/ensemble.json and, when DIR has a test split,
 * OUT/metrics.json (AUC, pAUC, per-fault classifier accuracy on the held-out test clips).
 */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../../cli/errors.ts';
import { createProgress } from '../../../cli/progress.ts';
import { type DatasetEntry, DatasetError, listDataset, readClip } from '../../../edge-model/src/dataset/load.ts';
import type { Clip } from '../../../edge-model/src/eval/types.ts';
import { compareWithEdge } from './compare.ts';
import { EdgeModelDetector } from './detectors/edge-model.ts';
import { evaluateEnsembleExtras } from './extras.ts';
import { datasetMachines, defaultMachines, LabelsError, readTechnicianLabels, syntheticFaultClips } from './labels.ts';
import { isDatabaseUrl, readLabelsFromDatabase } from './labels-db.ts';
import { saveEnsemble } from './scorer.ts';
import { type LabelledPcm, MIN_NORMAL_CLIPS, trainEnsemble } from './train.ts';

async function readAll(entries: DatasetEntry[], label: string): Promise<Clip[]> {
  const progress = createProgress(`reading ${label}`);
  const out: Clip[] = [];
  for (let i = 0; i < entries.length; i++) {
    out.push(await readClip(entries[i]));
    progress.update(i + 1, entries.length);
  }
  progress.done(`${out.length} clips`);
  return out;
}

export default defineCommand({
  meta: { name: 'train-ensemble', description: 'train the cloud re-scoring ensemble and fault classifier' },
  args: {
    data: { type: 'string', required: true, description: 'dataset folder (DIR/train/normal/*.wav, optional DIR/test/...)' },
    out: { type: 'string', required: true, description: 'output folder for ensemble.json (e.g. models/ensemble)' },
    'labels-from': {
      type: 'string',
      description:
        "technicians' labels: an export [{clipId|path, label}] (file or URL) or the cloud database (file:….db, libsql://…)",
    },
    'clips-dir': {
      type: 'string',
      description: 'clip audio folder for --labels-from a database (default: DATA_DIR/clips, DATA_DIR=./data)',
    },
    'synthetic-faults': {
      type: 'string',
      default: '24',
      description: 'synthetic labelled clips per fault type for the classifier (0 = none)',
    },
    seed: { type: 'string', default: '1', description: 'random seed (split, forests, autoencoder init)' },
    'edge-model': {
      type: 'string',
      description:
        'exported edge model folder (e.g. models/default): an ensemble member (its float network, re-trained per fold for calibration), and compared with on the test split, incl. its borderline band',
    },
    quick: { type: 'boolean', default: false, description: 'small detectors (smoke runs, tests)' },
    json: { type: 'boolean', default: false, description: 'print the training summary as JSON' },
  },
  async run({ args }) {
    const seed = numberFlag('seed', args.seed, { min: 0, max: 2 ** 31 - 1, integer: true });
    const perFault = numberFlag('synthetic-faults', args['synthetic-faults'], { min: 0, max: 1000, integer: true });
    const data = String(args.data);
    if (!existsSync(data) || !statSync(data).isDirectory())
      throw new CliError(`--data ${data} is not a folder; give a dataset folder such as data/synth`);
    const out = String(args.out);
    if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`--out ${out} exists and is not a folder`);

    let entries: DatasetEntry[];
    try {
      entries = await listDataset(data, { onSkip: (p, why) => process.stderr.write(`skipping ${p}: ${why}\n`) });
    } catch (err) {
      if (err instanceof DatasetError) throw new CliError(err.message);
      throw err;
    }
    const hasSplit = entries.some((e) => e.split === 'train');
    const trainNormal = entries.filter((e) => e.label === 'normal' && (hasSplit ? e.split === 'train' : true));
    const trainFaults = entries.filter((e) => e.label === 'anomaly' && e.split === 'train' && e.fault);
    const test = hasSplit ? entries.filter((e) => e.split === 'test') : [];
    if (trainNormal.length < MIN_NORMAL_CLIPS) {
      throw new CliError(
        `${data} has ${trainNormal.length} normal training clips; the ensemble needs at least ${MIN_NORMAL_CLIPS}`,
      );
    }

    const normalClips = await readAll(trainNormal, 'normal training clips');
    const normal = normalClips.map((c) => ({ pcm: c.pcm, source: c.path }));
    const faults: LabelledPcm[] = [];
    for (const c of await readAll(trainFaults, 'labelled fault clips'))
      faults.push({ pcm: c.pcm, label: c.fault ?? 'anomaly', source: c.path });

    let labelsUsed = 0;
    if (args['labels-from']) {
      try {
        const from = String(args['labels-from']);
        const labels = isDatabaseUrl(from)
          ? await readLabelsFromDatabase(
              from,
              String(args['clips-dir'] ?? join(process.env.DATA_DIR ?? './data', 'clips')),
              createProgress('labels'),
            )
          : await readTechnicianLabels(from, createProgress('labels'));
        normal.push(...labels.normal);
        faults.push(...labels.faults);
        labelsUsed = labels.normal.length + labels.faults.length;
      } catch (err) {
        if (err instanceof LabelsError || (err as Error).name === 'WavError') throw new CliError((err as Error).message);
        throw err;
      }
    }
    let synthetic = 0;
    if (perFault > 0) {
      const fromDataset = await datasetMachines(data);
      const machines = fromDataset?.machines ?? defaultMachines();
      // Same length as the dataset's clips (capped at the 10 s device clip), so clip-length
      // effects on the features cannot pass for fault signatures.
      const durationS = Math.min(10, fromDataset?.durationS ?? 10);
      const progress = createProgress('synthetic fault clips');
      const clips = syntheticFaultClips({ machines, perFault, durationS, seed, progress });
      progress.done(`${clips.length} clips for ${machines.length} machines${fromDataset ? ' (the dataset machines)' : ''}`);
      faults.push(...clips);
      synthetic = clips.length;
    }

    let edgeModel: EdgeModelDetector | undefined;
    let edgeModelRefit: Awaited<ReturnType<typeof EdgeModelDetector.refitter>> | undefined;
    if (args['edge-model']) {
      const modelDir = String(args['edge-model']);
      if (!existsSync(join(modelDir, 'card.json')))
        throw new CliError(`--edge-model ${modelDir} has no card.json; give an exported model folder such as models/default`);
      try {
        edgeModel = await EdgeModelDetector.load(modelDir);
        edgeModelRefit = await EdgeModelDetector.refitter(modelDir);
      } catch (err) {
        throw new CliError(`--edge-model ${modelDir}: ${(err as Error).message}`);
      }
    }

    const progress = createProgress('train-ensemble');
    const ensemble = await trainEnsemble({
      normal,
      faults,
      edgeModel,
      edgeModelRefit,
      seed,
      quick: Boolean(args.quick),
      progress,
      notes: { data, syntheticFaultClips: synthetic, technicianLabels: labelsUsed },
    });
    progress.done(ensemble.version);
    const path = await saveEnsemble(ensemble, out);

    let metrics: unknown = null;
    if (test.length && test.some((e) => e.label === 'normal') && test.some((e) => e.label === 'anomaly')) {
      if (args['edge-model']) {
        const modelDir = String(args['edge-model']);
        metrics = await compareWithEdge({
          ensemble,
          dataDir: data,
          modelDir,
          progress: createProgress('comparing with the edge model'),
        });
      } else {
        metrics = await evaluateEnsembleExtras(ensemble, await readAll(test, 'test clips'));
      }
      await writeFile(
        join(out, 'metrics.json'),
        `${JSON.stringify({ version: ensemble.version, data, ...(metrics as object) }, null, 2)}\n`,
      );
    }
    const summary = { path, version: ensemble.version, training: ensemble.training, metrics };
    if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      process.stdout.write(`wrote ${path} (version ${ensemble.version})\n`);
      process.stdout.write(`training: ${JSON.stringify(ensemble.training)}\n`);
      if (metrics) process.stdout.write(`held-out test: ${JSON.stringify(metrics)}\n`);
    }
  },
});
