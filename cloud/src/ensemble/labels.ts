/**
 * Where the fault classifier's labelled clips come from:
 * - synthetic fault clips rendered for the dataset's own machines (read from the synth
 *   manifest; generic synthetic machines otherwise), with seeds disjoint from the dataset's, so
 *   the held-out test clips stay unseen;
 * - technicians' labels: a labels export `[{clipId|path, label}]` from a file or URL.
 *   "normal" and "false-alarm" clips join the normal training set, fault ids train the
 *   classifier.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { type Progress, silentProgress } from '../../../cli/progress.ts';
import { downmix, loadMono16k } from '../../../edge-model/src/audio/load.ts';
import { resample } from '../../../edge-model/src/audio/resample.ts';
import { decodeWav } from '../../../edge-model/src/audio/wav.ts';
import { FAULT_IDS, type FaultId, renderClip, sampleMachine } from '../../../edge-model/src/synth/index.ts';
import type { MachineParams } from '../../../edge-model/src/synth/machine.ts';
import { mulberry32 } from './rng.ts';
import type { LabelledPcm } from './train.ts';

export class LabelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelsError';
  }
}

/** Machines of a synthetic dataset (from DIR/manifest.json), or null if DIR is not one. */
export async function datasetMachines(dataDir: string): Promise<{ machines: MachineParams[]; durationS: number } | null> {
  let manifest: { schema?: string; seed?: number; options?: { durationS?: number }; machines?: { id?: string }[] };
  try {
    manifest = JSON.parse(await readFile(join(dataDir, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
  if (manifest.schema !== 'signalcraft.synth/1' || typeof manifest.seed !== 'number') return null;
  const machines: MachineParams[] = [];
  for (const m of manifest.machines ?? []) {
    const match = /^m(\d+)$/.exec(m.id ?? '');
    // The generator keys seen machine i as "<seed>/m<i>"; unseen ("u..") ones stay unseen.
    if (match) machines.push(sampleMachine(`${manifest.seed}/m${Number(match[1])}`, m.id));
  }
  return machines.length ? { machines, durationS: manifest.options?.durationS ?? 10 } : null;
}

export interface SyntheticFaultOptions {
  readonly machines: readonly MachineParams[];
  /** Clips per fault type, spread over the machines. */
  readonly perFault: number;
  readonly durationS: number;
  readonly seed: number;
  readonly progress?: Progress;
}

/** Renders labelled fault clips (severity 0.2..1, SNR 6..24 dB, ±1.5 dB gain, like the dataset). */
export function syntheticFaultClips(opts: SyntheticFaultOptions): LabelledPcm[] {
  const progress = opts.progress ?? silentProgress;
  const rand = mulberry32(opts.seed ^ 0x5eed);
  const out: LabelledPcm[] = [];
  const total = FAULT_IDS.length * opts.perFault;
  for (const fault of FAULT_IDS) {
    for (let i = 0; i < opts.perFault; i++) {
      const machine = opts.machines[i % opts.machines.length];
      const seed = `ensemble-labels:${opts.seed}:${machine.id}:${fault}:${i}`;
      const { pcm } = renderClip({
        machine,
        seed,
        durationS: opts.durationS,
        fault: fault as FaultId,
        severity: 0.2 + 0.8 * rand(),
        snrDb: 6 + 18 * rand(),
        gainDb: 1.5 * (rand() * 2 - 1),
      });
      out.push({ pcm, label: fault, source: seed });
      progress.update(out.length, total, 'synthetic fault clips');
    }
  }
  return out;
}

/** Generic synthetic machines for datasets that are not synthetic (real recordings). */
export function defaultMachines(count = 4): MachineParams[] {
  return Array.from({ length: count }, (_, i) => sampleMachine(`ensemble-default/m${i}`, `m${i}`));
}

export interface LabelEntry {
  readonly clipId?: string | number;
  readonly path?: string;
  readonly label: string;
}

export interface TechnicianLabels {
  readonly normal: { pcm: Float32Array; source: string }[];
  readonly faults: LabelledPcm[];
}

const LABEL_RE = /^[a-z0-9][a-z0-9-]{0,40}$/;

export function parseLabels(text: string, source: string): LabelEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new LabelsError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new LabelsError(`${source} must be a JSON array of {clipId|path, label}`);
  return data.map((e, i) => {
    if (typeof e !== 'object' || e === null) throw new LabelsError(`${source}[${i}] must be an object {clipId|path, label}`);
    const { clipId, path, label } = e as Record<string, unknown>;
    if (typeof label !== 'string' || !LABEL_RE.test(label)) {
      throw new LabelsError(
        `${source}[${i}].label must be "normal", "false-alarm" or a fault id like "bearing" (got ${JSON.stringify(label)})`,
      );
    }
    if (path !== undefined && typeof path !== 'string') throw new LabelsError(`${source}[${i}].path must be a string`);
    if (clipId !== undefined && typeof clipId !== 'string' && typeof clipId !== 'number')
      throw new LabelsError(`${source}[${i}].clipId must be a string or number`);
    if (path === undefined && clipId === undefined) throw new LabelsError(`${source}[${i}] needs a path or a clipId`);
    return { clipId: clipId as string | number | undefined, path: path as string | undefined, label };
  });
}

/**
 * Reads a labels export and the audio it points to. From a file, `path` entries are resolved
 * against the file's folder. From a URL, `clipId` entries are fetched from
 * `<origin>/api/clips/<id>/audio` (the user API), sending SIGNALCRAFT_AUTH as the Authorization
 * header when set; `path` entries are resolved against the URL.
 */
export async function readTechnicianLabels(from: string, progress: Progress = silentProgress): Promise<TechnicianLabels> {
  const isUrl = /^https?:\/\//i.test(from);
  const headers: Record<string, string> = {};
  if (process.env.SIGNALCRAFT_AUTH) headers.authorization = process.env.SIGNALCRAFT_AUTH;
  let text: string;
  if (isUrl) {
    const res = await fetch(from, { headers }).catch((err: Error) => {
      throw new LabelsError(`cannot fetch labels from ${from}: ${err.message}`);
    });
    if (!res.ok) throw new LabelsError(`labels URL ${from} answered HTTP ${res.status}`);
    text = await res.text();
  } else {
    text = await readFile(from, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new LabelsError(`cannot read labels file ${from} (${err.code ?? err.message})`);
    });
  }
  const entries = parseLabels(text, from);
  const out: TechnicianLabels = { normal: [], faults: [] };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    let pcm: Float32Array;
    let source: string;
    if (isUrl) {
      const url = e.path ? new URL(e.path, from) : new URL(`/api/clips/${encodeURIComponent(String(e.clipId))}/audio`, from);
      source = url.href;
      const res = await fetch(url, { headers }).catch((err: Error) => {
        throw new LabelsError(`cannot fetch audio ${url.href}: ${err.message}`);
      });
      if (!res.ok) throw new LabelsError(`audio ${url.href} answered HTTP ${res.status}`);
      const wav = decodeWav(new Uint8Array(await res.arrayBuffer()), url.href);
      const mono = downmix(wav.pcm);
      pcm = wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000);
    } else {
      if (!e.path)
        throw new LabelsError(
          `${from}[${i}] has clipId ${e.clipId} but no path; export labels with audio paths, or pass the cloud's labels URL`,
        );
      source = isAbsolute(e.path) ? e.path : join(dirname(from), e.path);
      pcm = await loadMono16k(source);
    }
    if (e.label === 'normal' || e.label === 'false-alarm') out.normal.push({ pcm, source });
    else out.faults.push({ pcm, label: e.label, source });
    progress.update(i + 1, entries.length, 'labelled clips');
  }
  return out;
}
