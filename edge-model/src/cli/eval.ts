import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from 'citty';
import { CliError } from '../../../cli/errors.ts';
import { createProgress } from '../../../cli/progress.ts';
import { DatasetError } from '../dataset/load.ts';
import { BaselineError } from '../eval/baseline.ts';
import { MetricError } from '../eval/metrics.ts';
import { evaluate } from '../eval/run.ts';
import type { Scorer } from '../eval/types.ts';
import {
  type BorderlineBand,
  type DetailedScorer,
  EnsembleEval,
  type EvalReportWithEnsemble,
  type EvaluateExtras,
  formatEnsembleSection,
  readBorderlineBand,
} from './eval-ensemble.ts';

const EDGE_SCORER = new URL('../../train/scorer.ts', import.meta.url);
const ENSEMBLE_SCORER = new URL('../../../cloud/src/ensemble/scorer.ts', import.meta.url);
const ENSEMBLE_EXTRAS = new URL('../../../cloud/src/ensemble/extras.ts', import.meta.url);

/** Imports a module another part of the project provides, or says in one line that it is missing. */
async function importOptional(url: URL, what: string): Promise<Record<string, unknown>> {
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new CliError(`${what} is not available in this build (${path} is missing)`);
  return (await import(url.href)) as Record<string, unknown>;
}

async function loadEdge(modelDir: string): Promise<Scorer[]> {
  if (!existsSync(modelDir)) throw new CliError(`--model ${modelDir} does not exist; give a model folder such as models/default`);
  const mod = await importOptional(EDGE_SCORER, 'the edge model scorer (--model)');
  if (typeof mod.loadEdgeScorers !== 'function')
    throw new CliError(`${fileURLToPath(EDGE_SCORER)} does not export loadEdgeScorers`);
  const load = mod.loadEdgeScorers as (dir: string) => Promise<Scorer[]>;
  return asCliError('--model', modelDir, () => load(modelDir));
}

async function loadEnsemble(dir: string): Promise<EnsembleEval> {
  if (!existsSync(dir)) throw new CliError(`--ensemble ${dir} does not exist; give an ensemble folder such as models/ensemble`);
  const mod = await importOptional(ENSEMBLE_SCORER, 'the cloud ensemble scorer (--ensemble)');
  const extras = await importOptional(ENSEMBLE_EXTRAS, 'the cloud ensemble extras (--ensemble)');
  if (typeof mod.loadEnsemble !== 'function')
    throw new CliError(`${fileURLToPath(ENSEMBLE_SCORER)} does not export loadEnsemble`);
  if (typeof extras.evaluateEnsembleExtras !== 'function')
    throw new CliError(`${fileURLToPath(ENSEMBLE_EXTRAS)} does not export evaluateEnsembleExtras`);
  const load = mod.loadEnsemble as (dir: string) => Promise<ConstructorParameters<typeof EnsembleEval>[0]>;
  const ens = await asCliError('--ensemble', dir, () => load(dir));
  return new EnsembleEval(ens, extras.evaluateEnsembleExtras as EvaluateExtras);
}

/** Loader errors the other modules raise on purpose (bad folder, stale card) become one-line CLI errors; bugs keep their stack. */
async function asCliError<T>(flag: string, dir: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const bug = err instanceof TypeError || err instanceof ReferenceError || err instanceof SyntaxError;
    if (err instanceof Error && !bug && !(err instanceof CliError)) throw new CliError(`${flag} ${dir}: ${err.message}`);
    throw err;
  }
}

const f3 = (x: number) => x.toFixed(3);

export function formatReport(r: EvalReportWithEnsemble): string {
  const lines = [
    `data: ${r.data}`,
    `clips: ${r.clips.train} train (normal), ${r.clips.test} test${
      r.extras ? ` (${r.extras.testCounts.normal} normal, ${r.extras.testCounts.anomaly} anomalous)` : ''
    }`,
    '',
    `${'scorer'.padEnd(14)}${'fault'.padEnd(14)}${'n'.padStart(5)}${'AUC'.padStart(8)}${'pAUC'.padStart(8)}`,
  ];
  for (const [name, s] of Object.entries(r.scorers)) {
    const nAnom = r.extras?.testCounts.anomaly ?? Object.values(s.perFault).reduce((a, f) => a + f.n, 0);
    lines.push(
      `${name.padEnd(14)}${'(all)'.padEnd(14)}${String(nAnom).padStart(5)}${f3(s.auc).padStart(8)}${f3(s.pauc).padStart(8)}`,
    );
    for (const [fault, f] of Object.entries(s.perFault)) {
      lines.push(
        `${''.padEnd(14)}${fault.padEnd(14)}${String(f.n).padStart(5)}${f3(f.auc).padStart(8)}${f3(f.pauc).padStart(8)}`,
      );
    }
  }
  for (const [name, per] of Object.entries(r.extras?.perMachine ?? {})) {
    const entries = Object.entries(per);
    const h = r.extras?.machineHarmonicMean[name];
    if (entries.length < 2 || entries.length > 12 || !h) continue;
    const parts = entries.map(([m, x]) => `${m} ${f3(x.auc)}/${f3(x.pauc)}`);
    lines.push('', `${name} per machine (AUC/pAUC): ${parts.join(', ')}; harmonic mean ${f3(h.auc)}/${f3(h.pauc)}`);
  }
  const agree = r.extras?.edge;
  if (agree) {
    const corr = agree.scoreCorrelation === null ? 'undefined (constant scores)' : agree.scoreCorrelation.toFixed(4);
    lines.push(
      '',
      `${agree.a} vs ${agree.b} clip scores (n=${agree.n}): Pearson r ${corr}, max |difference| ${agree.maxAbsScoreDiff.toPrecision(3)}`,
    );
  }
  if (r.extras?.ensemble) lines.push(...formatEnsembleSection(r.extras.ensemble));
  lines.push('', 'n = anomalous clips (each fault is scored against all normal test clips); pAUC: DCASE, max FPR 0.1');
  return `${lines.join('\n')}\n`;
}

export default defineCommand({
  meta: {
    name: 'eval',
    description: 'ROC AUC and pAUC (DCASE, max FPR 0.1), overall and per fault, of the baseline and optional models',
  },
  args: {
    data: {
      type: 'string',
      description: 'dataset with DIR/train/normal/… and DIR/test/{normal,anomaly/<fault>}/…',
      required: true,
    },
    json: { type: 'boolean', description: 'print the report as JSON' },
    model: { type: 'string', description: 'also evaluate an exported edge model folder (float and int8), e.g. models/default' },
    ensemble: { type: 'string', description: 'also evaluate a cloud ensemble folder, e.g. models/ensemble' },
    strict: { type: 'boolean', description: 'stop at the first unreadable or unlabelled file instead of skipping it' },
  },
  async run({ args }) {
    const dataDir = resolve(String(args.data));
    const modelDir = args.model === undefined ? undefined : resolve(String(args.model));
    const extra: Scorer[] = modelDir === undefined ? [] : await loadEdge(modelDir);
    const ensemble = args.ensemble === undefined ? undefined : await loadEnsemble(resolve(String(args.ensemble)));
    let band: BorderlineBand | string = 'no edge model to compare with (give --model)';
    if (ensemble) {
      // The band is on the int8 scores: that is what the device thresholds.
      const at = extra.findIndex((s) => s.name === 'edge-int8');
      if (at >= 0 && modelDir !== undefined) {
        extra[at] = ensemble.trackEdge(extra[at] as DetailedScorer);
        band = await asCliError('--model', modelDir, () => readBorderlineBand(modelDir));
      }
      extra.push(ensemble.scorer);
    }
    const progress = createProgress('eval');
    let report: EvalReportWithEnsemble;
    try {
      const base = await evaluate({
        dataDir,
        scorers: extra,
        strict: Boolean(args.strict),
        onSkip: (path, reason) => progress.log(`skipped ${path}: ${reason}`),
        progress,
        onClipScored: ensemble?.onClipScored,
      });
      report = ensemble && base.extras ? { ...base, extras: { ...base.extras, ensemble: await ensemble.finish(band) } } : base;
    } catch (err) {
      if (err instanceof DatasetError || err instanceof BaselineError || err instanceof MetricError) {
        throw new CliError(err.message, 1);
      }
      throw err;
    }
    progress.done();
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  },
});
