/**
 * Contract B: folders of WAV files as labelled clips. Listing is separate from reading so large
 * datasets can be streamed clip by clip (`listDataset` + `readClip`) instead of held in memory.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { loadMono16k } from '../audio/load.ts';
import type { Clip } from '../eval/types.ts';
import { FRONTEND } from '../frontend/config.ts';
import { labelFromPath } from './labels.ts';

export class DatasetError extends Error {
  override name = 'DatasetError';
}

export interface DatasetEntry {
  readonly path: string;
  readonly label: Clip['label'];
  readonly fault?: string;
  readonly split?: 'train' | 'test';
  readonly machine?: string;
}

export interface LoadOptions {
  /** Fail on the first unreadable or unlabelled file instead of skipping it. */
  readonly strict?: boolean;
  /** Told about every skipped file (by path) and why. */
  readonly onSkip?: (path: string, reason: string) => void;
  /** Reading progress (clips read so far, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

const MAX_DEPTH = 8;

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const s = await stat(p).catch(() => null);
      isDir = Boolean(s?.isDirectory());
      isFile = Boolean(s?.isFile());
    }
    if (isDir && depth < MAX_DEPTH) await walk(p, depth + 1, out);
    else if (isFile && /\.wav$/i.test(e.name)) out.push(p);
  }
}

async function checkDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  const s = await stat(abs).catch(() => null);
  if (!s) throw new DatasetError(`dataset folder ${dir} does not exist`);
  if (!s.isDirectory()) throw new DatasetError(`${dir} is not a folder; give the dataset's root folder`);
  return abs;
}

function skip(opts: LoadOptions, path: string, reason: string): void {
  if (opts.strict) throw new DatasetError(`${path}: ${reason} (--strict stops at the first bad file)`);
  opts.onSkip?.(path, reason);
}

/** Every labelled WAV under `dir`, sorted by path, without reading audio. */
export async function listDataset(dir: string, opts: LoadOptions = {}): Promise<DatasetEntry[]> {
  const root = await checkDir(dir);
  const files: string[] = [];
  await walk(root, 0, files);
  files.sort();
  if (files.length === 0) throw new DatasetError(`no .wav files under ${dir}; expected DIR/normal/*.wav and DIR/anomaly/...`);
  const out: DatasetEntry[] = [];
  for (const path of files) {
    // The root's own name counts too: loadDataset('data/normal') or ('data/train') label their clips.
    const rel = relative(dirname(root), path).split(sep).join('/');
    const l = labelFromPath(rel);
    if ('reason' in l) skip(opts, path, l.reason);
    else out.push({ path, ...l });
  }
  if (out.length === 0) throw new DatasetError(`no labelled clips under ${dir}; put them in normal/ and anomaly/ folders`);
  return out;
}

/** Reads one entry as 16 kHz mono; throws (WavError naming the file) if it cannot. */
export async function readClip(entry: DatasetEntry): Promise<Clip> {
  const pcm = await loadMono16k(entry.path);
  if (pcm.length < FRONTEND.frameLength) {
    throw new DatasetError(
      `${entry.path}: too short (${pcm.length} samples at 16 kHz; need at least ${FRONTEND.frameLength} for one frame)`,
    );
  }
  return { ...entry, pcm };
}

/**
 * Reads an entry, or reports it through `onSkip` and returns null (throws with `strict`).
 * Unreadable files never abort a non-strict load.
 */
export async function tryReadClip(entry: DatasetEntry, opts: LoadOptions = {}): Promise<Clip | null> {
  try {
    return await readClip(entry);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(`${entry.path}: `, '') : String(err);
    skip(opts, entry.path, reason);
    return null;
  }
}

/** Contract B: every readable labelled clip under `dir`. Needs at least one normal clip. */
export async function loadDataset(dir: string, opts: LoadOptions = {}): Promise<Clip[]> {
  const entries = await listDataset(dir, opts);
  const clips: Clip[] = [];
  for (let i = 0; i < entries.length; i++) {
    const c = await tryReadClip(entries[i], opts);
    if (c) clips.push(c);
    opts.onProgress?.(i + 1, entries.length);
  }
  if (clips.length === 0) throw new DatasetError(`none of the ${entries.length} clips under ${dir} could be read`);
  if (!clips.some((c) => c.label === 'normal')) throw new DatasetError(`no normal clips under ${dir}; add DIR/normal/*.wav`);
  return clips;
}

export interface SplitEntries {
  readonly train: DatasetEntry[];
  readonly test: DatasetEntry[];
}

/**
 * The train/test layout the eval CLI accepts: `DIR/train/normal/…` and `DIR/test/{normal,anomaly}/…`
 * (also DCASE's per-machine `DIR/<machine>/{train,test}/…` and split tokens in file names).
 */
export async function listSplit(dir: string, opts: LoadOptions = {}): Promise<SplitEntries> {
  const all = await listDataset(dir, opts);
  const train = all.filter((e) => e.split === 'train');
  const test = all.filter((e) => e.split === 'test');
  const noSplit = all.length - train.length - test.length;
  for (const e of all) if (!e.split) skip(opts, e.path, 'not under a train/ or test/ folder');
  if (train.length === 0) {
    throw new DatasetError(
      `${dir} has no train/ clips${noSplit ? ` (${noSplit} clips are outside train/ and test/)` : ''}; expected DIR/train/normal/*.wav and DIR/test/{normal,anomaly}/…`,
    );
  }
  const trainNormal = train.filter((e) => e.label === 'normal');
  for (const e of train)
    if (e.label !== 'normal') skip(opts, e.path, 'anomalous clip in train/ (training uses normal clips only)');
  if (trainNormal.length === 0) throw new DatasetError(`no normal clips in ${dir}/train; add DIR/train/normal/*.wav`);
  if (test.length === 0) throw new DatasetError(`${dir} has no test/ clips; expected DIR/test/normal and DIR/test/anomaly`);
  if (!test.some((e) => e.label === 'normal')) throw new DatasetError(`no normal clips in ${dir}/test; AUC needs both classes`);
  if (!test.some((e) => e.label === 'anomaly'))
    throw new DatasetError(`no anomalous clips in ${dir}/test; AUC needs both classes`);
  return { train: trainNormal, test };
}
