import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from 'citty';
import { CliError } from '../cli/errors.ts';
import type { BenchFigure } from './types.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** Runs one module in its own Node process (see run-one.ts); its progress goes to our stderr. */
function runIsolated(name: string, quick: boolean): Promise<BenchFigure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'run-one.ts'), name, quick ? 'quick' : 'full'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`exited with ${code}`));
      try {
        resolve(JSON.parse(last) as BenchFigure[]);
      } catch {
        reject(new Error(`printed no figures: ${last.slice(0, 200)}`));
      }
    });
  });
}

export function renderTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => `| ${f.label} | ${formatValue(f.value)} | ${f.unit} | ${f.runs} |`);
  return ['| figure | median | unit | runs |', '|---|---:|---|---:|', ...rows].join('\n');
}

export default defineCommand({
  meta: { name: 'bench', description: 'run the benchmarks and write bench/results/<date>.json' },
  args: {
    quick: { type: 'boolean', description: 'fewer repetitions (a smoke run, not for the README)', default: false },
    only: { type: 'string', description: 'comma-separated module names (e.g. frontend,cloud)' },
    'update-readme': { type: 'boolean', description: 'write the table into README.md between the bench markers', default: false },
  },
  async run({ args }) {
    const available = readdirSync(BENCH_DIR)
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => f.replace(/\.bench\.ts$/, ''))
      .sort();
    const only = args.only
      ? String(args.only)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : available;
    const unknown = only.filter((m) => !available.includes(m));
    if (unknown.length)
      throw new CliError(`unknown bench module(s) ${unknown.join(', ')}; available: ${available.join(', ')}`, 2);

    const figures: BenchFigure[] = [];
    const failures: string[] = [];
    for (const name of only) {
      const started = Date.now();
      process.stderr.write(`bench ${name}…\n`);
      try {
        const got = await runIsolated(name, Boolean(args.quick));
        figures.push(...got);
        process.stderr.write(`bench ${name}: ${got.length} figure(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      } catch (err) {
        failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
        process.stderr.write(`bench ${name} FAILED: ${err instanceof Error ? err.stack : String(err)}\n`);
      }
    }

    const date = new Date().toISOString().slice(0, 10);
    const outDir = join(BENCH_DIR, 'results');
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, `${date}${args.quick ? '-quick' : ''}.json`);
    const result = {
      date: new Date().toISOString(),
      quick: Boolean(args.quick),
      machine: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        cpus: (await import('node:os')).cpus().length,
      },
      figures,
      failures,
    };
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    const table = renderTable(figures);
    process.stdout.write(`${table}\n\nwritten to ${out}\n`);
    if (args['update-readme']) {
      const readme = readFileSync(README, 'utf8');
      const a = readme.indexOf(START);
      const b = readme.indexOf(END);
      if (a < 0 || b < a) throw new CliError(`README.md has no ${START} … ${END} markers`);
      const block = `${START}\nMeasured ${date} on this 2-core machine (\`npm run bench -- --update-readme\`; raw results in \`bench/results/${date}.json\`).\n\n${table}\n${END}`;
      writeFileSync(README, readme.slice(0, a) + block + readme.slice(b + END.length));
    }
    if (failures.length) throw new CliError(`${failures.length} bench module(s) failed: ${failures.join('; ')}`);
  },
});
