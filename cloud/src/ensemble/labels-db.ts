/**
 * Technicians' labels straight from the cloud's database (`--labels-from file:data/signalcraft.db`
 * or a libsql:// URL): the latest label of every labelled clip, with its audio read from the clip
 * store (DATA_DIR/clips, int16 LE mono). Closes the loop from the dashboard back to training.
 */
import { desc, eq } from 'drizzle-orm';
import { type Progress, silentProgress } from '../../../cli/progress.ts';
import { resample } from '../../../edge-model/src/audio/resample.ts';
import { openDatabase } from '../db/client.ts';
import { clipLabels, clips } from '../db/schema.ts';
import { ClipStore } from '../storage/clip-store.ts';
import { LabelsError, type TechnicianLabels } from './labels.ts';

export function isDatabaseUrl(s: string): boolean {
  return /^(file:|libsql:)/i.test(s) && !/\.json$/i.test(s);
}

export async function readLabelsFromDatabase(
  url: string,
  clipsDir: string,
  progress: Progress = silentProgress,
): Promise<TechnicianLabels> {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(url, { authToken: process.env.DATABASE_AUTH_TOKEN });
  } catch (err) {
    throw new LabelsError(`cannot open the labels database ${url}: ${(err as Error).message}`);
  }
  try {
    const rows = await database.db
      .select({
        id: clipLabels.id,
        clipId: clipLabels.clipId,
        label: clipLabels.label,
        sha256: clips.sha256,
        sampleRate: clips.sampleRate,
      })
      .from(clipLabels)
      .innerJoin(clips, eq(clips.id, clipLabels.clipId))
      .orderBy(desc(clipLabels.id));
    // A clip relabelled later counts once, with its newest label.
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!latest.has(r.clipId)) latest.set(r.clipId, r);
    const store = new ClipStore(clipsDir);
    const out: TechnicianLabels = { normal: [], faults: [] };
    let done = 0;
    for (const r of [...latest.values()].sort((a, b) => a.id - b.id)) {
      const int16 = await store.get(r.sha256).catch((err: Error) => {
        throw new LabelsError(`clip ${r.clipId}: ${err.message} (pass --clips-dir DATA_DIR/clips)`);
      });
      let pcm: Float32Array = Float32Array.from(int16, (v) => v / 32768);
      if (r.sampleRate !== 16000) pcm = resample(pcm, r.sampleRate, 16000);
      const source = `clip ${r.clipId}`;
      if (r.label === 'normal' || r.label === 'false-alarm') out.normal.push({ pcm, source });
      else out.faults.push({ pcm, label: r.label, source });
      progress.update(++done, latest.size, 'labelled clips from the database');
    }
    return out;
  } finally {
    database.close();
  }
}
