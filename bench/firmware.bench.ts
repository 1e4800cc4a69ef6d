import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchFigure, median } from './types.ts';

/**
 * The device pipeline compiled for this host (firmware/esp32-tflm/host, g++ -O2): C++ log-mel per
 * frame, int8 reference runner per inference, whole pipeline real-time factor, IMA-ADPCM cost, and
 * the RAM the core allocates (measured from the objects' buffers) plus the model's flash/arena.
 * ESP32 CPU share is estimated from these op counts in firmware/esp32-tflm/README.md, not here.
 */
const HOST = fileURLToPath(new URL('../firmware/esp32-tflm/host', import.meta.url));
const BUILD = `${HOST}/build`;
const BIN = `${BUILD}/sc-bench`;

interface BenchOut {
  model: string;
  modelBytes: number;
  cardArenaBytes: number;
  activationBytes: number;
  macsPerInference: number;
  melMacsPerFrame: number;
  framesPerSecond: number;
  memory: Record<'frontend' | 'scorer' | 'clipRing' | 'fsm' | 'batch' | 'pcm' | 'total', number>;
  frameUs: number[];
  inferenceUs: number[];
  realtimeFactor: number[];
  adpcmUsPerSecond: number[];
}

function build(): void {
  for (const args of [
    ['-S', HOST, '-B', BUILD, '-DCMAKE_BUILD_TYPE=Release'],
    ['--build', BUILD, '-j', '2', '--target', 'sc-bench'],
  ]) {
    const r = spawnSync('cmake', args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed`);
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  if (!existsSync(BIN)) build();
  const runs = quick ? 3 : 9;
  const r = spawnSync(BIN, [String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sc-bench failed: ${r.stderr}`);
  const b = JSON.parse(r.stdout) as BenchOut;
  const kb = (n: number) => n / 1024;
  return [
    {
      id: 'firmware.host_realtime_factor',
      label: `device pipeline on the host (front end + ${b.model} model + FSM + clips + outbox)`,
      value: median(b.realtimeFactor),
      unit: 'x realtime',
      runs,
    },
    { id: 'firmware.host_frame_us', label: 'C++ log-mel per frame on the host', value: median(b.frameUs), unit: 'µs', runs },
    {
      id: 'firmware.host_inference_us',
      label: `int8 reference runner per inference on the host (${b.macsPerInference} MACs)`,
      value: median(b.inferenceUs),
      unit: 'µs',
      runs,
    },
    {
      id: 'firmware.adpcm_us_per_s',
      label: 'IMA-ADPCM encode per second of audio',
      value: median(b.adpcmUsPerSecond),
      unit: 'µs',
      runs,
    },
    { id: 'firmware.model_flash_kb', label: 'model flash (.tflite)', value: kb(b.modelBytes), unit: 'KiB', runs: 1 },
    {
      id: 'firmware.arena_kb',
      label: 'tensor arena (card arenaBytes; host activations in detail)',
      value: kb(b.cardArenaBytes),
      unit: 'KiB',
      runs: 1,
      detail: { hostActivationBytes: b.activationBytes },
    },
    {
      id: 'firmware.core_ram_kb',
      label: 'core RAM: front end, scorer, 6 s clip ring, FSM, batch, PCM',
      value: kb(b.memory.total),
      unit: 'KiB',
      runs: 1,
      detail: b.memory,
    },
  ];
}
