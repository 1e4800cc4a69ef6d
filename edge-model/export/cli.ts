/**
 * `signalcraft export --model MODEL_DIR --out OUT_DIR [--data DIR]`: int8-quantises a trained model
 * and writes model.tflite, model_data.cc/.h, card.json and vectors/. With --data (or when the
 * training folder still exists) the card records float and int8 AUC on its test split.
 */
import { existsSync } from 'node:fs';
import path, { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../cli/errors.ts';
import { createProgress } from '../../cli/progress.ts';
import { DatasetError, listDataset, tryReadClip } from '../src/dataset/load.ts';
import type { Clip } from '../src/eval/types.ts';
import { loadTrainedModel, ModelDirError } from '../train/model-dir.ts';
import { CardError } from './card.ts';
import { exportModel } from './export.ts';
import { TfliteFormatError } from './tflite-reader.ts';

async function loadTestClips(dir: string, log: (l: string) => void): Promise<Clip[]> {
  const entries = await listDataset(dir, { onSkip: (p, why) => log(`skipped ${p}: ${why}`) });
  const hasSplit = entries.some((e) => e.split === 'test');
  const test = entries.filter((e) => (hasSplit ? e.split === 'test' : true));
  const progress = createProgress('reading test clips');
  const clips: Clip[] = [];
  for (let i = 0; i < test.length; i++) {
    const c = await tryReadClip(test[i], { onSkip: (p, why) => log(`skipped ${p}: ${why}`) });
    if (c) clips.push(c);
    progress.update(i + 1, test.length);
  }
  return clips;
}

export default defineCommand({
  meta: { name: 'export', description: 'int8-quantise a trained model and export .tflite, C array, model card and test vectors' },
  args: {
    model: { type: 'string', description: 'folder written by `signalcraft train`', required: true },
    out: { type: 'string', description: 'output folder (e.g. models/default)', required: true },
    data: {
      type: 'string',
      description: 'dataset whose test split gives the card its AUC (default: the training dataset, if present)',
    },
    name: { type: 'string', description: 'model name in the card (default: the output folder name)' },
    'per-tensor': { type: 'boolean', description: 'one weight scale per layer instead of per output channel' },
    'false-alarms-per-week': { type: 'string', description: 'target false alerts per device per week (default 1)' },
    cadence: { type: 'string', description: 'seconds between scored windows the device reports (default 10)' },
    'borderline-per-day': { type: 'string', description: 'borderline windows (cloud uploads) per healthy day (default 24)' },
    'learn-max': { type: 'string', description: 'highest alert a device may learn, as a multiple of the alert (default 4)' },
  },
  async run({ args }) {
    const modelDir = resolve(String(args.model));
    const outDir = resolve(String(args.out));
    if (!existsSync(modelDir))
      throw new CliError(
        `--model ${modelDir} does not exist; train one with \`signalcraft train --data DIR --out ${args.model}\``,
      );
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const thresholds = {
      targetFalseAlarmsPerWeek:
        args['false-alarms-per-week'] === undefined
          ? undefined
          : numberFlag('false-alarms-per-week', args['false-alarms-per-week'], { min: 0.001, max: 1e6 }),
      reportingCadenceS: args.cadence === undefined ? undefined : numberFlag('cadence', args.cadence, { min: 0.1, max: 86400 }),
      targetBorderlinePerDay:
        args['borderline-per-day'] === undefined
          ? undefined
          : numberFlag('borderline-per-day', args['borderline-per-day'], { min: 0, max: 1e6 }),
      learnMaxFactor:
        args['learn-max'] === undefined ? undefined : numberFlag('learn-max', args['learn-max'], { min: 1, max: 100 }),
    };
    try {
      const trained = await loadTrainedModel(modelDir);
      const dataDir =
        args.data !== undefined
          ? resolve(String(args.data))
          : trained.data && existsSync(trained.data)
            ? trained.data
            : undefined;
      if (args.data !== undefined && !existsSync(dataDir as string)) throw new CliError(`--data ${dataDir} does not exist`);
      const testClips = dataDir ? await loadTestClips(dataDir, log) : [];
      if (!dataDir) log('no dataset to evaluate on: the card will carry no AUC (pass --data DIR)');
      const { card } = await exportModel(
        {
          modelDir,
          outDir,
          name: args.name === undefined ? undefined : String(args.name),
          perChannel: !args['per-tensor'],
          thresholds,
          testClips,
          dataLabel: dataDir ? path.relative(process.cwd(), dataDir) || '.' : undefined,
        },
        createProgress('export'),
      );
      const m = card.metrics;
      process.stdout.write(
        [
          `${outDir}: model.tflite ${card.flashBytes} B, sha256 ${card.sha256}`,
          `  flash ${card.flashBytes} B (int8 weights+biases ${card.weightBytes} B) · tensor arena ≈ ${card.arenaBytes} B · ${card.macs} MACs per inference`,
          `  thresholds: alert ${card.thresholds.alert.toFixed(4)}, borderline from ${card.thresholds.borderlineLow.toFixed(4)} (${card.thresholds.targetFalseAlarmsPerWeek}/week at one window per ${card.thresholds.reportingCadenceS} s), a device learns its own alert within ${card.thresholds.learnMin?.toFixed(4)}–${card.thresholds.learnMax?.toFixed(4)}`,
          `  TFLite interpreter vs our reference: max |Δ| ${card.validation.maxAbsDiff} LSB over ${card.validation.rows} inputs (${(card.validation.exactFraction * 100).toFixed(1)} % exact)`,
          m.float && m.int8
            ? `  AUC float ${m.float.auc.toFixed(3)} / int8 ${m.int8.auc.toFixed(3)}, pAUC ${m.float.pauc.toFixed(3)} / ${m.int8.pauc.toFixed(3)}, score correlation ${m.scoreCorrelation?.toFixed(4)} (${m.clips} clips)`
            : '  no evaluation data: metrics are null',
        ].join('\n') + '\n',
      );
    } catch (err) {
      if (
        err instanceof ModelDirError ||
        err instanceof CardError ||
        err instanceof DatasetError ||
        err instanceof TfliteFormatError
      ) {
        throw new CliError(err.message);
      }
      throw err;
    }
  },
});
