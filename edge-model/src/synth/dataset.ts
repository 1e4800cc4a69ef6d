/**
 * Writes a synthetic dataset: WAV files in the DCASE-style layout plus a manifest recording every
 * random choice. Deterministic for a seed: no timestamps, clip order fixed, every clip's
 * randomness keyed by (seed, machine, split, label, fault, index) rather than by generation order.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Progress } from '../../../cli/progress.ts';
import { silentProgress } from '../../../cli/progress.ts';
import { encodeWav } from '../audio/wav.ts';
import { FRONTEND } from '../frontend/config.ts';
import { type ClipInfo, renderClip, SynthError } from './clip.ts';
import { FAULT_IDS, FAULTS, type FaultId } from './faults.ts';
import { type MachineParams, rotationHz, sampleMachine } from './machine.ts';
import { Rng } from './prng.ts';

export type Layout = 'split' | 'dcase';
export type Range = number | readonly [number, number];

export interface DatasetOptions {
  readonly outDir: string;
  readonly seed: number;
  /** Machines (each one identity, present in train and test). Default 4. */
  readonly machines?: number;
  /** Normal training clips per machine (split) or normal clips per machine (dcase). Default 20. */
  readonly clipsPerMachine?: number;
  /** Normal test clips per machine (split layout). Default half of clipsPerMachine, at least 1. */
  readonly testNormalPerMachine?: number;
  /** Anomalous clips per machine and fault. Default a third of the test normals, at least 1. */
  readonly anomaliesPerFault?: number;
  /** Extra machines that appear only in test/ (domain shift: unseen machines). Default 0. */
  readonly unseenMachines?: number;
  /** Clip length in seconds. Default 10. */
  readonly durationS?: number;
  /** Room-noise SNR in dB: a value, or a [lo, hi] range drawn per clip. Default [6, 24]. */
  readonly snrDb?: Range;
  /** Fault severity: a value, or a [lo, hi] range drawn per clip. Default [0.2, 1]. */
  readonly severity?: Range;
  readonly faults?: readonly FaultId[];
  readonly layout?: Layout;
  /** Replace the synth output already in outDir (train/, test/, normal/, anomaly/, manifest.json). */
  readonly force?: boolean;
  readonly progress?: Progress;
}

export interface ManifestClip extends Omit<ClipInfo, 'machine'> {
  readonly file: string;
  readonly split: 'train' | 'test' | null;
  readonly label: 'normal' | 'anomaly';
  readonly machine: string;
}

export interface Manifest {
  readonly schema: 'signalcraft.synth/1';
  readonly seed: number;
  readonly sampleRate: number;
  readonly layout: Layout;
  readonly options: Record<string, unknown>;
  readonly faults: Record<string, string>;
  readonly machines: Record<string, unknown>[];
  readonly clips: ManifestClip[];
}

interface Job {
  machine: MachineParams;
  split: 'train' | 'test' | null;
  fault: FaultId | null;
  index: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function draw(rng: Rng, r: Range): number {
  return typeof r === 'number' ? r : rng.uniform(r[0], r[1]);
}

function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new SynthError(`${name} must be a whole number in ${min}..${max} (got ${v})`);
}

function checkRange(name: string, r: Range, min: number, max: number): void {
  const [lo, hi] = typeof r === 'number' ? [r, r] : r;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo >= min && hi <= max && lo <= hi)) {
    throw new SynthError(`${name} must lie in ${min}..${max} (got ${typeof r === 'number' ? r : `${lo}..${hi}`})`);
  }
}

/** Resolves defaults and validates; the result is what the manifest records. */
export function resolveOptions(o: DatasetOptions) {
  const clipsPerMachine = o.clipsPerMachine ?? 20;
  const testNormalPerMachine = o.testNormalPerMachine ?? Math.max(1, Math.round(clipsPerMachine / 2));
  const r = {
    seed: o.seed,
    layout: o.layout ?? 'split',
    machines: o.machines ?? 4,
    clipsPerMachine,
    testNormalPerMachine,
    anomaliesPerFault: o.anomaliesPerFault ?? Math.max(1, Math.round(testNormalPerMachine / 3)),
    unseenMachines: o.unseenMachines ?? 0,
    durationS: o.durationS ?? 10,
    snrDb: o.snrDb ?? ([6, 24] as const),
    severity: o.severity ?? ([0.2, 1] as const),
    faults: [...(o.faults ?? FAULT_IDS)],
  };
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new SynthError(`seed must be a whole number >= 0 (got ${r.seed})`);
  if (r.layout !== 'split' && r.layout !== 'dcase') throw new SynthError(`layout must be split or dcase (got ${r.layout})`);
  checkCount('machines', r.machines, 1, 100);
  checkCount('clipsPerMachine', r.clipsPerMachine, 1, 10000);
  checkCount('testNormalPerMachine', r.testNormalPerMachine, 1, 10000);
  checkCount('anomaliesPerFault', r.anomaliesPerFault, 1, 10000);
  checkCount('unseenMachines', r.unseenMachines, 0, 100);
  if (r.unseenMachines > 0 && r.layout !== 'split')
    throw new SynthError('unseen machines need the split layout (they exist only in test/)');
  if (!(r.durationS >= 0.1 && r.durationS <= 600)) throw new SynthError(`durationS must be in 0.1..600 (got ${r.durationS})`);
  checkRange('snrDb', r.snrDb, -20, 80);
  checkRange('severity', r.severity, 0, 1);
  for (const f of r.faults) if (!(f in FAULTS)) throw new SynthError(`unknown fault "${f}" (known: ${FAULT_IDS.join(', ')})`);
  if (new Set(r.faults).size !== r.faults.length) throw new SynthError('faults lists a fault twice');
  return r;
}

function jobs(r: ReturnType<typeof resolveOptions>, seen: MachineParams[], unseen: MachineParams[]): Job[] {
  const out: Job[] = [];
  const push = (machine: MachineParams, split: Job['split'], fault: FaultId | null, count: number) => {
    for (let index = 1; index <= count; index++) out.push({ machine, split, fault, index });
  };
  if (r.layout === 'dcase') {
    for (const m of seen) {
      push(m, null, null, r.clipsPerMachine);
      for (const f of r.faults) push(m, null, f, r.anomaliesPerFault);
    }
    return out;
  }
  for (const m of seen) push(m, 'train', null, r.clipsPerMachine);
  for (const m of [...seen, ...unseen]) {
    push(m, 'test', null, r.testNormalPerMachine);
    for (const f of r.faults) push(m, 'test', f, r.anomaliesPerFault);
  }
  return out;
}

function relPath(job: Job): string {
  const label = job.fault ? 'anomaly' : 'normal';
  const folder = job.fault ? `anomaly/${job.fault}` : 'normal';
  const splitPart = job.split ? `${job.split}/` : '';
  const name = `${job.machine.id}_${job.split ?? 'all'}_${label}_${String(job.index).padStart(4, '0')}.wav`;
  return `${splitPart}${folder}/${name}`;
}

async function prepareOutDir(outDir: string, force: boolean): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (entries.length > 0) {
    if (!force) throw new SynthError(`${outDir} is not empty; choose a new folder or pass --force to replace its synth output`);
    for (const e of ['train', 'test', 'normal', 'anomaly', 'manifest.json'])
      await rm(join(outDir, e), { recursive: true, force: true });
  }
  await mkdir(outDir, { recursive: true });
}

/** Contract C: generates the dataset into `outDir` and returns the manifest it wrote. */
export async function generateDataset(opts: DatasetOptions): Promise<Manifest> {
  const r = resolveOptions(opts);
  const progress = opts.progress ?? silentProgress;
  const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(2, '0')}`;
  const seen = Array.from({ length: r.machines }, (_, i) => sampleMachine(`${r.seed}/m${i}`, id('m', i)));
  const unseen = Array.from({ length: r.unseenMachines }, (_, i) => sampleMachine(`${r.seed}/u${i}`, id('u', i)));
  const todo = jobs(r, seen, unseen);
  await prepareOutDir(opts.outDir, opts.force ?? false);
  const dirs = new Set(todo.map((j) => join(opts.outDir, relPath(j), '..')));
  for (const d of [...dirs].sort()) await mkdir(d, { recursive: true });

  const clips: ManifestClip[] = [];
  for (let k = 0; k < todo.length; k++) {
    const job = todo[k];
    const file = relPath(job);
    const rng = new Rng(`dataset:${r.seed}:${file}`);
    const snrDb = round(draw(rng, r.snrDb), 2);
    const severity = job.fault ? round(draw(rng, r.severity), 3) : 0;
    // Microphone gain and placement wander a little from clip to clip (±1.5 dB).
    const gainDb = round(1.5 * rng.gauss(), 2);
    const { pcm, info } = renderClip({
      machine: job.machine,
      seed: `${r.seed}:${file}`,
      durationS: r.durationS,
      fault: job.fault,
      severity,
      snrDb,
      gainDb,
    });
    await writeFile(join(opts.outDir, file), encodeWav({ sampleRate: FRONTEND.sampleRate, channels: [pcm], format: 'pcm16' }));
    const { machine: _m, ...rest } = info;
    clips.push({ file, split: job.split, label: job.fault ? 'anomaly' : 'normal', machine: job.machine.id, ...rest });
    progress.update(k + 1, todo.length, file);
  }

  const manifest: Manifest = {
    schema: 'signalcraft.synth/1',
    seed: r.seed,
    sampleRate: FRONTEND.sampleRate,
    layout: r.layout,
    options: { ...r },
    faults: Object.fromEntries(r.faults.map((f) => [f, FAULTS[f].summary])),
    machines: [...seen, ...unseen].map((m) => ({
      id: m.id,
      unseen: m.id.startsWith('u'),
      kind: m.kind,
      mainsHz: m.mainsHz,
      poles: m.poles,
      cylinders: m.cylinders,
      rotationHzAtLoad07: round(rotationHz(m, 0.7), 2),
      bpfoHzAtLoad07: round(rotationHz(m, 0.7) * m.bpfoFactor, 2),
      bearingResonanceHz: round(m.bearingResonance, 1),
      mountResonanceHz: round(m.mountResonance, 1),
      levelDb: round(m.levelDb, 2),
    })),
    clips,
  };
  await writeFile(join(opts.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  progress.done(`${clips.length} clips in ${opts.outDir}`);
  return manifest;
}
