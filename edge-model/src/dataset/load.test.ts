import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../audio/wav.ts';
import { labelFromPath } from './labels.ts';
import { listDataset, listSplit, loadDataset } from './load.ts';

describe('labelFromPath', () => {
  it.each([
    ['normal/a.wav', { label: 'normal' }],
    ['Normal/A.WAV', { label: 'normal' }],
    ['abnormal/x.wav', { label: 'anomaly' }],
    ['anomaly/bearing/x.wav', { label: 'anomaly', fault: 'bearing' }],
    ['train/normal/m00_train_normal_0001.wav', { label: 'normal', split: 'train', machine: 'm00' }],
    [
      'test/anomaly/valve-leak/u01_test_anomaly_0002.wav',
      { label: 'anomaly', fault: 'valve-leak', split: 'test', machine: 'u01' },
    ],
    ['normal_id_00_00000001.wav', { label: 'normal', machine: 'id_00' }],
    ['anomaly_id_04_00000123.wav', { label: 'anomaly', machine: 'id_04' }],
    ['fan/test/section_00_source_test_anomaly_0001_vel_6.wav', { label: 'anomaly', split: 'test', machine: 'fan/section_00' }],
    [
      'pump/train/section_01_target_train_normal_0003_noAttr.wav',
      { label: 'normal', split: 'train', machine: 'pump/section_01' },
    ],
    ['-6_dB_fan/fan/id_02/abnormal/00000003.wav', { label: 'anomaly', machine: 'fan/id_02' }],
    ['dev/valve/train/my_normal_clip.wav', { label: 'normal', split: 'train', machine: 'valve' }],
  ])('%s', (rel, expected) => {
    expect(labelFromPath(rel)).toEqual(expected);
  });

  it.each([
    ['misc/x.wav', /no label/],
    ['normal/anomaly_001.wav', /folder says normal but file name says anomaly/],
    ['normal/anomaly/x.wav', /unexpected folder below normal/],
    ['normal_anomaly_3.wav', /both normal and anomaly/],
  ])('refuses to guess for %s', (rel, reason) => {
    const r = labelFromPath(rel);
    expect('reason' in r && r.reason).toMatch(reason);
  });
});

describe('loadDataset', () => {
  let dir: string;
  const tone = (n: number, f: number) =>
    Float32Array.from({ length: n }, (_, i) => 0.1 * Math.sin((2 * Math.PI * f * i) / 16000));
  const wav = (pcm: Float32Array, sampleRate = 16000) => encodeWav({ sampleRate, channels: [pcm], format: 'pcm16' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-dataset-'));
    await mkdir(join(dir, 'normal'), { recursive: true });
    await mkdir(join(dir, 'anomaly', 'bearing'), { recursive: true });
    await mkdir(join(dir, 'misc'), { recursive: true });
    await writeFile(join(dir, 'normal', 'a.wav'), wav(tone(4000, 440)));
    // 48 kHz stereo: resampled and downmixed on load.
    await writeFile(
      join(dir, 'normal', 'b.wav'),
      encodeWav({ sampleRate: 48000, channels: [tone(12000, 300), tone(12000, 300)], format: 'float32' }),
    );
    await writeFile(join(dir, 'anomaly', 'bearing', 'c.wav'), wav(tone(4000, 2000)));
    await writeFile(join(dir, 'anomaly_id_01_0001.wav'), wav(tone(4000, 1000)));
    await writeFile(join(dir, 'normal', 'broken.wav'), new TextEncoder().encode('this is not a wav file'));
    await writeFile(join(dir, 'normal', 'tiny.wav'), wav(tone(100, 440)));
    await writeFile(join(dir, 'misc', 'unlabelled.wav'), wav(tone(4000, 440)));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('labels clips from folders and DCASE names, resamples to 16 kHz mono, and skips bad files by name', async () => {
    const skipped: [string, string][] = [];
    const clips = await loadDataset(dir, { onSkip: (p, r) => skipped.push([p, r]) });
    const byName = Object.fromEntries(clips.map((c) => [c.path.slice(dir.length + 1), c]));
    expect(Object.keys(byName).sort()).toEqual([
      'anomaly/bearing/c.wav',
      'anomaly_id_01_0001.wav',
      'normal/a.wav',
      'normal/b.wav',
    ]);
    expect(byName['anomaly/bearing/c.wav']).toMatchObject({ label: 'anomaly', fault: 'bearing' });
    expect(byName['anomaly_id_01_0001.wav']).toMatchObject({ label: 'anomaly', machine: 'id_01' });
    expect(byName['normal/b.wav'].pcm.length).toBe(4000);
    const reasons = Object.fromEntries(skipped.map(([p, r]) => [p.slice(dir.length + 1), r]));
    expect(Object.keys(reasons).sort()).toEqual(['misc/unlabelled.wav', 'normal/broken.wav', 'normal/tiny.wav']);
    expect(reasons['normal/tiny.wav']).toMatch(/too short/);
    expect(reasons['misc/unlabelled.wav']).toMatch(/no label/);
  });

  it('stops at the first bad file with --strict, naming it', async () => {
    await expect(loadDataset(dir, { strict: true })).rejects.toThrow(/misc\/unlabelled\.wav: no label/);
    await expect(loadDataset(join(dir, 'normal'), { strict: true })).rejects.toThrow(/broken\.wav/);
  });

  it('gives clear errors for a missing folder, no WAV files and no normal clips', async () => {
    await expect(listDataset(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    const empty = await mkdtemp(join(tmpdir(), 'sc-empty-'));
    await expect(listDataset(empty)).rejects.toThrow(/no \.wav files/);
    await rm(empty, { recursive: true });
    await expect(loadDataset(join(dir, 'anomaly'))).rejects.toThrow(/no normal clips/);
  });

  it('needs train/normal and both classes in test/ for the train/test layout', async () => {
    await expect(listSplit(dir)).rejects.toThrow(/no train\/ clips/);
  });
});
