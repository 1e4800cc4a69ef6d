/**
 * How a file's place in a dataset says what it is. Folder names win (`normal/`, `anomaly/` or
 * `abnormal/`, optionally one more folder naming the fault); otherwise DCASE file names
 * (`normal_id_00_00000001.wav`, `section_00_source_test_anomaly_0001_<attrs>.wav`). A file whose
 * folder and name disagree is not guessed at: it is skipped with the reason.
 */
import type { ClipLabel } from '../eval/types.ts';

export interface PathLabel {
  readonly label: ClipLabel;
  readonly fault?: string;
  readonly split?: 'train' | 'test';
  readonly machine?: string;
}

const ANOMALY = new Set(['anomaly', 'abnormal', 'anomalous']);

function labelOfToken(t: string): ClipLabel | undefined {
  if (t === 'normal') return 'normal';
  if (ANOMALY.has(t)) return 'anomaly';
  return undefined;
}

const SECTION = /^(?:section|id)_\d+$/i;

/**
 * DCASE section/id numbers restart for every machine type (fan/section_00, pump/section_00), so
 * they are prefixed with the machine-type folder when there is one; our own files carry mNN_/uNN_.
 */
function machineOf(stem: string, dirs: readonly string[], splitAt: number): string | undefined {
  const token = /(?:^|_)((?:section|id)_\d+)(?:_|$)/i.exec(stem)?.[1];
  if (token) return splitAt > 0 ? `${dirs[splitAt - 1]}/${token}` : token;
  const dirAt = dirs.findIndex((d) => SECTION.test(d));
  if (dirAt >= 0) return dirAt > 0 ? `${dirs[dirAt - 1]}/${dirs[dirAt]}` : dirs[dirAt];
  const own = /^([mu]\d+)_/.exec(stem)?.[1];
  if (own) return own;
  return splitAt > 0 ? dirs[splitAt - 1] : undefined;
}

/** `rel` is the path relative to the dataset root, with '/' separators. */
export function labelFromPath(rel: string): PathLabel | { reason: string } {
  const segs = rel.split('/').filter(Boolean);
  const file = segs.pop() ?? '';
  const dirs = segs;
  const lower = dirs.map((d) => d.toLowerCase());

  let folderLabel: ClipLabel | undefined;
  let fault: string | undefined;
  for (let i = 0; i < lower.length; i++) {
    const l = labelOfToken(lower[i]);
    if (!l) continue;
    if (folderLabel && folderLabel !== l) return { reason: `folders say both normal and anomaly (${dirs.join('/')})` };
    folderLabel = l;
    if (l === 'anomaly' && i + 1 < dirs.length) fault = dirs[i + 1];
    if (l === 'normal' && i + 1 < dirs.length) return { reason: `unexpected folder below normal/ (${dirs.slice(i).join('/')})` };
  }

  const stem = file.replace(/\.[^.]+$/, '');
  const tokens = stem.toLowerCase().split(/[_\-.\s]+/);
  const nameLabels = new Set(tokens.map(labelOfToken).filter((x): x is ClipLabel => x !== undefined));
  if (nameLabels.size > 1) return { reason: 'file name says both normal and anomaly' };
  const nameLabel = [...nameLabels][0];
  if (folderLabel && nameLabel && folderLabel !== nameLabel) {
    return { reason: `folder says ${folderLabel} but file name says ${nameLabel}` };
  }
  const label = folderLabel ?? nameLabel;
  if (!label) return { reason: 'no label: not under normal/ or anomaly/ and the name has no normal_/anomaly_ token' };

  let split: 'train' | 'test' | undefined;
  const splitAt = lower.findIndex((d) => d === 'train' || d === 'test');
  if (splitAt >= 0) split = lower[splitAt] as 'train' | 'test';
  else if (tokens.includes('train')) split = 'train';
  else if (tokens.includes('test')) split = 'test';

  const machine = machineOf(stem, dirs, splitAt);

  return {
    label,
    ...(label === 'anomaly' && fault ? { fault } : {}),
    ...(split ? { split } : {}),
    ...(machine ? { machine } : {}),
  };
}
