import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError } from '../../../cli/errors.ts';
import { createProgress } from '../../../cli/progress.ts';
import { loadMono16k } from '../audio/load.ts';
import { WavError } from '../audio/wav.ts';
import { FRONTEND } from '../frontend/config.ts';
import { float32Le } from '../frontend/golden.ts';
import { LogMelStream } from '../frontend/logmel.ts';

/** Clips longer than this show progress (the front end runs at hundreds of times real time). */
const PROGRESS_SECONDS = 120;

export default defineCommand({
  meta: { name: 'features', description: 'compute log-mel features of a WAV file (any rate/channels; resampled to 16 kHz mono)' },
  args: {
    input: { type: 'positional', description: 'WAV file', required: true },
    out: { type: 'string', description: 'output file', required: true },
    format: {
      type: 'string',
      description:
        'json ({frames, nMels, frontend, data}) or bin (raw float32 LE, frame-major); default: json if --out ends in .json, else bin',
    },
  },
  async run({ args }) {
    const input = String(args.input);
    const out = resolve(String(args.out));
    const format = args.format === undefined ? (extname(out).toLowerCase() === '.json' ? 'json' : 'bin') : String(args.format);
    if (format !== 'json' && format !== 'bin') throw new CliError(`--format must be json or bin (got "${format}")`, 2);

    let pcm: Float32Array;
    try {
      pcm = await loadMono16k(input);
    } catch (err) {
      if (err instanceof WavError) {
        const io = /^(file not found|cannot read)/.test(err.reason);
        throw new CliError(io ? err.message : `${err.message}; give a PCM or float WAV file`);
      }
      throw err;
    }

    // Streamed in one-second chunks so long recordings can report progress; identical to batch.
    const stream = new LogMelStream(FRONTEND);
    const chunk = FRONTEND.sampleRate;
    const progress = pcm.length > PROGRESS_SECONDS * FRONTEND.sampleRate ? createProgress('features') : undefined;
    const parts: Float32Array[] = [];
    for (let at = 0; at < pcm.length; at += chunk) {
      parts.push(stream.push(pcm.subarray(at, at + chunk)).data);
      progress?.update(Math.min(at + chunk, pcm.length), pcm.length);
    }
    const frames = stream.framesEmitted;
    if (frames === 0) {
      throw new CliError(`${input}: too short for one frame (${pcm.length} samples at 16 kHz; need ${FRONTEND.frameLength})`);
    }
    const data = new Float32Array(frames * FRONTEND.nMels);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }

    let bytes: Uint8Array | string;
    if (format === 'json') {
      bytes = `${JSON.stringify({ source: input, frames, nMels: FRONTEND.nMels, frontend: FRONTEND, data: Array.from(data) })}\n`;
    } else {
      bytes = float32Le(data);
    }
    try {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, bytes);
    } catch (err) {
      throw new CliError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    progress?.done();
    process.stdout.write(`${out}: ${frames} frames x ${FRONTEND.nMels} bands (${format})\n`);
  },
});
