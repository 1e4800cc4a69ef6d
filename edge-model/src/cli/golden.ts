import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError } from '../../../cli/errors.ts';
import { createProgress } from '../../../cli/progress.ts';
import { writeGolden } from '../frontend/golden.ts';
import { compareGolden } from '../frontend/golden-check.ts';

export default defineCommand({
  meta: {
    name: 'golden',
    description: 'write front-end golden vectors (int16 PCM + expected log-mel) for the firmware host tests',
  },
  args: {
    out: { type: 'string', description: 'output folder', default: 'models/frontend-golden' },
    check: {
      type: 'boolean',
      description: 'do not write: check that the folder matches what the current front end computes (exit 1 if not)',
      default: false,
    },
  },
  async run({ args }) {
    const out = resolve(String(args.out));
    if (args.check) {
      let report: Awaited<ReturnType<typeof compareGolden>>;
      try {
        report = await compareGolden(out);
      } catch (err) {
        throw new CliError(`cannot read golden vectors in ${out}: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const r of report)
        process.stdout.write(
          `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: max |Δ| ${r.maxAbsDiff.toExponential(2)} ${r.unit}${r.problem ? ` (${r.problem})` : ''}\n`,
        );
      if (report.some((r) => !r.ok)) {
        throw new CliError(`golden vectors in ${out} are stale: regenerate with "signalcraft golden --out ${args.out}"`);
      }
      return;
    }
    const progress = createProgress('golden');
    let index: Awaited<ReturnType<typeof writeGolden>>;
    try {
      index = await writeGolden(out, (name, i, total) => progress.update(i, total, name));
    } catch (err) {
      throw new CliError(`cannot write golden vectors to ${out}: ${err instanceof Error ? err.message : String(err)}`);
    }
    progress.done(`${index.cases.length} cases in ${out}`);
  },
});
