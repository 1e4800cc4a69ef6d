import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../../cli/errors.ts';
import { createProgress } from '../../../cli/progress.ts';
import { SynthError } from '../synth/clip.ts';
import { generateDataset, type Range } from '../synth/dataset.ts';
import { FAULT_IDS, type FaultId, isFaultId } from '../synth/faults.ts';

/** "0.5" or "0.2..0.8" → a value or a range drawn per clip. */
export function rangeFlag(name: string, raw: unknown, min: number, max: number): Range | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const parts = text.split('..');
  if (parts.length === 1) return numberFlag(name, text, { min, max });
  if (parts.length !== 2) throw new CliError(`--${name} must be a number or a range LO..HI (got "${text}")`, 2);
  const lo = numberFlag(name, parts[0], { min, max });
  const hi = numberFlag(name, parts[1], { min, max });
  if (lo > hi) throw new CliError(`--${name} range must have LO <= HI (got "${text}")`, 2);
  return [lo, hi];
}

export function faultsFlag(raw: unknown): FaultId[] | undefined {
  if (raw === undefined) return undefined;
  const list = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new CliError(`--faults needs at least one of: ${FAULT_IDS.join(', ')}`, 2);
  for (const f of list)
    if (!isFaultId(f)) throw new CliError(`--faults: unknown fault "${f}" (known: ${FAULT_IDS.join(', ')})`, 2);
  if (new Set(list).size !== list.length) throw new CliError('--faults lists a fault twice', 2);
  return list as FaultId[];
}

const optionalInt = (name: string, raw: unknown, min: number, max: number) =>
  raw === undefined ? undefined : numberFlag(name, raw, { min, max, integer: true });

export default defineCommand({
  meta: {
    name: 'synth',
    description: `generate synthetic compressor audio (16 kHz mono pcm16 WAV + manifest.json); faults: ${FAULT_IDS.join(', ')}`,
  },
  args: {
    out: { type: 'string', description: 'output folder (must be empty unless --force)', required: true },
    seed: { type: 'string', description: 'random seed; the same seed gives byte-identical files (default 1)' },
    machines: { type: 'string', description: 'machines, each present in train and test (default 4)' },
    'clips-per-machine': { type: 'string', description: 'normal training clips per machine (default 20)' },
    'test-clips': { type: 'string', description: 'normal test clips per machine (default half of --clips-per-machine)' },
    'anomalies-per-fault': {
      type: 'string',
      description: 'anomalous clips per machine and fault (default a third of --test-clips)',
    },
    'unseen-machines': { type: 'string', description: 'extra machines that appear only in test/ (default 0)' },
    duration: { type: 'string', description: 'clip length in seconds (default 10)' },
    snr: { type: 'string', description: 'room-noise SNR in dB, a value or LO..HI drawn per clip (default 6..24)' },
    faults: { type: 'string', description: `comma-separated fault ids (default all: ${FAULT_IDS.join(',')})` },
    severity: { type: 'string', description: 'fault severity 0..1, a value or LO..HI drawn per clip (default 0.2..1)' },
    layout: {
      type: 'string',
      description: 'split: DIR/train/normal, DIR/test/{normal,anomaly/<fault>} (default); dcase: DIR/normal, DIR/anomaly/<fault>',
    },
    force: { type: 'boolean', description: 'replace the synth output already in --out' },
  },
  async run({ args }) {
    const layout = args.layout === undefined ? 'split' : String(args.layout);
    if (layout !== 'split' && layout !== 'dcase') throw new CliError(`--layout must be split or dcase (got "${layout}")`, 2);
    const outDir = resolve(String(args.out));
    const progress = createProgress('synth');
    try {
      const manifest = await generateDataset({
        outDir,
        seed:
          args.seed === undefined ? 1 : numberFlag('seed', args.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
        machines: optionalInt('machines', args.machines, 1, 100),
        clipsPerMachine: optionalInt('clips-per-machine', args['clips-per-machine'], 1, 10000),
        testNormalPerMachine: optionalInt('test-clips', args['test-clips'], 1, 10000),
        anomaliesPerFault: optionalInt('anomalies-per-fault', args['anomalies-per-fault'], 1, 10000),
        unseenMachines: optionalInt('unseen-machines', args['unseen-machines'], 0, 100),
        durationS: args.duration === undefined ? undefined : numberFlag('duration', args.duration, { min: 0.1, max: 600 }),
        snrDb: rangeFlag('snr', args.snr, -20, 80),
        severity: rangeFlag('severity', args.severity, 0, 1),
        faults: faultsFlag(args.faults),
        layout,
        force: Boolean(args.force),
        progress,
      });
      const byLabel = new Map<string, number>();
      for (const c of manifest.clips) {
        const key = `${c.split ? `${c.split}/` : ''}${c.fault ? `anomaly/${c.fault}` : 'normal'}`;
        byLabel.set(key, (byLabel.get(key) ?? 0) + 1);
      }
      const nm = manifest.machines.length;
      process.stdout.write(
        `${outDir}: ${manifest.clips.length} clips from ${nm} machine${nm === 1 ? '' : 's'} (seed ${manifest.seed})\n`,
      );
      for (const [k, n] of [...byLabel].sort()) process.stdout.write(`  ${k.padEnd(28)}${n}\n`);
    } catch (err) {
      if (err instanceof SynthError) throw new CliError(err.message, 2);
      if ((err as NodeJS.ErrnoException).code && (err as NodeJS.ErrnoException).path) {
        const e = err as NodeJS.ErrnoException;
        throw new CliError(`cannot write ${e.path}: ${e.code}`);
      }
      throw err;
    }
  },
});
