import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { clipLabels, clips } from '../db/schema.ts';
import { ClipStore } from '../storage/clip-store.ts';
import { isDatabaseUrl, readLabelsFromDatabase } from './labels-db.ts';
import { faultyClip, normalClip } from './test-fixtures.ts';

let dir: string;
let url: string;
const clipsDir = () => join(dir, 'clips');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-ens-labels-db-'));
  url = `file:${join(dir, 'cloud.db')}`;
  const database = await openDatabase(url);
  const store = new ClipStore(clipsDir());
  const toInt16 = (x: Float32Array) => Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  const put = async (id: string, pcm: Float32Array) => {
    const sha256 = await store.put(toInt16(pcm));
    await database.db.insert(clips).values({
      id,
      orgId: 'o1',
      deviceId: 'd1',
      machineId: 'm1',
      t: Date.now(),
      edgeScore: 0.4,
      encoding: 'pcm16',
      samples: pcm.length,
      sampleRate: 16000,
      sha256,
    });
  };
  await put('c1', normalClip(500));
  await put('c2', faultyClip('bearing', 50));
  await put('c3', faultyClip('slugging', 51));
  // c2 was first called a false alarm, then relabelled: only the newest label counts.
  for (const [clipId, label] of [
    ['c1', 'normal'],
    ['c2', 'false-alarm'],
    ['c3', 'slugging'],
    ['c2', 'bearing'],
  ]) {
    await database.db.insert(clipLabels).values({ clipId, orgId: 'o1', userId: 'u1', label });
  }
  database.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('labels from the cloud database', () => {
  it('reads the newest label per clip with its audio from the clip store', async () => {
    const got = await readLabelsFromDatabase(url, clipsDir());
    expect(got.normal.map((n) => n.source)).toEqual(['clip c1']);
    expect(got.faults.map((f) => [f.source, f.label])).toEqual([
      ['clip c3', 'slugging'],
      ['clip c2', 'bearing'],
    ]);
    const original = faultyClip('slugging', 51);
    expect(got.faults[0].pcm.length).toBe(original.length);
    expect(Math.abs(got.faults[0].pcm[1000] - original[1000])).toBeLessThan(1 / 16384);
  });

  it('says where the audio should be when the clip store is elsewhere', async () => {
    await expect(readLabelsFromDatabase(url, join(dir, 'nowhere'))).rejects.toThrow(/--clips-dir/);
  });

  it('tells database URLs from label exports', () => {
    expect(isDatabaseUrl('file:data/signalcraft.db')).toBe(true);
    expect(isDatabaseUrl('libsql://x.turso.io')).toBe(true);
    expect(isDatabaseUrl('labels.json')).toBe(false);
    expect(isDatabaseUrl('https://cloud/api/labels/export')).toBe(false);
  });
});
