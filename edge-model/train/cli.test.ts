import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CommandDef, runCommand } from 'citty';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../cli/errors.ts';
import exportCommand from '../export/cli.ts';
import { randomAutoencoder, randomInputs } from '../export/test-helpers.ts';
import { writeWav } from '../src/audio/wav.ts';
import { FRONTEND } from '../src/frontend/config.ts';
import { computeLogMel } from '../src/frontend/logmel.ts';
import { synthesizeClip } from '../src/synth/clip.ts';
import { sampleMachine } from '../src/synth/machine.ts';
import trainCommand from './cli.ts';
import { saveTrainedModel } from './model-dir.ts';
import { fitPreprocess } from './preprocess.ts';

let root: string;
const run = (cmd: CommandDef<any>, args: string[]) => runCommand(cmd, { rawArgs: args });

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sc-train-cli-'));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function wav(file: string, pcm: Float32Array, sampleRate = FRONTEND.sampleRate) {
  mkdirSync(path.dirname(file), { recursive: true });
  await writeWav(file, { sampleRate, channels: [pcm], format: 'pcm16' });
}

describe('signalcraft train: bad input gets one clear line', () => {
  it('a missing folder, an empty folder, no normal clips, unreadable clips', async () => {
    await expect(run(trainCommand, ['--data', path.join(root, 'missing'), '--out', path.join(root, 'm')])).rejects.toThrow(
      /does not exist/,
    );
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await expect(run(trainCommand, ['--data', empty, '--out', path.join(root, 'm')])).rejects.toThrow(CliError);
    const onlyFaults = path.join(root, 'faults');
    await wav(path.join(onlyFaults, 'train', 'anomaly', 'bearing', 'a.wav'), new Float32Array(16000));
    await wav(path.join(onlyFaults, 'test', 'normal', 'n.wav'), new Float32Array(16000));
    await expect(run(trainCommand, ['--data', onlyFaults, '--out', path.join(root, 'm')])).rejects.toThrow(
      /no normal training clips/,
    );
    const corrupt = path.join(root, 'corrupt');
    mkdirSync(path.join(corrupt, 'normal'), { recursive: true });
    writeFileSync(path.join(corrupt, 'normal', 'x.wav'), 'RIFF....not a wav');
    await expect(run(trainCommand, ['--data', corrupt, '--out', path.join(root, 'm')])).rejects.toThrow(
      /none of the 1 normal clips/,
    );
    await expect(run(trainCommand, ['--data', corrupt, '--out', path.join(root, 'm'), '--hidden', '32,x'])).rejects.toThrow(
      /--hidden must be a number/,
    );
  });

  it('trains from a 44.1 kHz recording folder (resampled) with the day-one layout DIR/normal', async () => {
    const machine = sampleMachine('cli-test');
    const dir = path.join(root, 'site');
    const pcm = synthesizeClip({ machine, seed: 'x', durationS: 3 });
    // Written at 44.1 kHz by naive sample repetition: loadMono16k resamples it back to 16 kHz.
    const up = Float32Array.from(
      { length: Math.floor((pcm.length * 44100) / 16000) },
      (_, i) => pcm[Math.floor((i * 16000) / 44100)],
    );
    await wav(path.join(dir, 'normal', 'a.wav'), up, 44100);
    await wav(path.join(dir, 'normal', 'b.wav'), pcm);
    const out = path.join(root, 'site-model');
    await run(trainCommand, ['--data', dir, '--out', out, '--epochs', '2', '--hidden', '8,4,8']);
    const train = JSON.parse(readFileSync(path.join(out, 'train.json'), 'utf8'));
    expect(train.summary.clips).toBe(2);
    expect(train.summary.split).toBe('by-time');
    expect(train.frontend.sampleRate).toBe(16000);
  });
});

describe('signalcraft export: bad input gets one clear line', () => {
  it('a missing model folder, a folder that is not a trained model, a model for another sample rate', async () => {
    await expect(run(exportCommand, ['--model', path.join(root, 'nope'), '--out', path.join(root, 'o')])).rejects.toThrow(
      /does not exist/,
    );
    await expect(run(exportCommand, ['--model', root, '--out', path.join(root, 'o')])).rejects.toThrow(/train.json is missing/);
    const dir = path.join(root, 'fake-trained');
    const model = randomAutoencoder(3, [320, 8, 320]);
    const pcm = synthesizeClip({ machine: sampleMachine('cli-test'), seed: 'y', durationS: 1 });
    const preprocess = fitPreprocess([computeLogMel(pcm)], FRONTEND);
    const rows = randomInputs(4, 40, 320, 2);
    const summary = {} as never;
    await saveTrainedModel(dir, {
      model,
      frontend: { ...FRONTEND, sampleRate: 8000 },
      preprocess,
      windowFrames: 8,
      scoreKind: 'window-mean-residual',
      summary,
      representative: rows,
      heldout: { inputs: rows, segments: [40] },
    });
    await expect(run(exportCommand, ['--model', dir, '--out', path.join(root, 'o')])).rejects.toThrow(
      /trained at 8000 Hz but the front end runs at 16000 Hz/,
    );
    writeFileSync(path.join(dir, 'heldout.bin'), new Uint8Array(100));
    await expect(run(exportCommand, ['--model', dir, '--out', path.join(root, 'o')])).rejects.toThrow(
      /heldout.bin: 100 bytes is not a whole number/,
    );
    writeFileSync(path.join(dir, 'weights.json'), '{"layers": 3}');
    await expect(run(exportCommand, ['--model', dir, '--out', path.join(root, 'o')])).rejects.toThrow(
      /weights.json: no "layers" array/,
    );
  });
});
