/**
 * Writes `schema.json` and `examples/*.json` from the zod schemas (the firmware tests consume
 * them). `npx tsx cloud/src/protocol/export.ts` rewrites them; `--check` exits 1 when stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { encodeImaAdpcm } from './adpcm.ts';
import { PROTOCOL_SCHEMAS, PROTOCOL_VERSION } from './schemas.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A deterministic 0.1 s 440 Hz tone so the clip examples stay small and reproducible. */
function exampleTone(samples = 1600): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  return out;
}

const SHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';
const T0 = 1_780_000_000_000;
const env = (seq: number) => ({ v: PROTOCOL_VERSION, deviceId: 'dev_3fa9c1d2e4b5', bootId: '9f8e7d6c5b4a3921', seq });

/** Example messages: [file stem, schema name, value]. Each is validated before it is written. */
export function protocolExamples(): Array<[string, keyof typeof PROTOCOL_SCHEMAS, unknown]> {
  const tone = exampleTone();
  const pcmB64 = Buffer.from(tone.buffer, tone.byteOffset, tone.byteLength).toString('base64');
  const adpcmB64 = Buffer.from(encodeImaAdpcm(tone)).toString('base64');
  return [
    [
      'verdicts',
      'VerdictBatch',
      {
        ...env(1),
        sentAt: T0 + 10_500,
        modelSha256: SHA,
        windows: [
          { t: T0, score: 0.42, state: 'normal', levelDb: -38.5 },
          { t: T0 + 5000, score: 0.47, state: 'normal', levelDb: -38.1 },
          { t: T0 + 10_000, score: 1.31, state: 'watch', levelDb: -36.9 },
        ],
      },
    ],
    ['verdicts-ack', 'Ack', { ok: true, ack: { bootId: '9f8e7d6c5b4a3921', seq: 1 }, duplicate: false, serverTime: T0 + 10_620 }],
    [
      'verdicts-ack-duplicate',
      'Ack',
      { ok: true, ack: { bootId: '9f8e7d6c5b4a3921', seq: 1 }, duplicate: true, serverTime: T0 + 70_000 },
    ],
    [
      'clip-pcm16',
      'ClipUpload',
      { ...env(2), t: T0 + 9000, edgeScore: 1.31, sampleRate: 16000, encoding: 'pcm16', samples: tone.length, audio: pcmB64 },
    ],
    [
      'clip-ima-adpcm',
      'ClipUpload',
      {
        ...env(3),
        t: T0 + 9000,
        edgeScore: 1.31,
        sampleRate: 16000,
        encoding: 'ima-adpcm',
        samples: tone.length,
        audio: adpcmB64,
      },
    ],
    [
      'clip-ack',
      'ClipAck',
      {
        ok: true,
        ack: { bootId: '9f8e7d6c5b4a3921', seq: 2 },
        duplicate: false,
        serverTime: T0 + 11_000,
        clipId: 'clp_7c1e0a9b2d3f4e5a',
      },
    ],
    [
      'heartbeat',
      'Heartbeat',
      {
        ...env(3),
        uptimeS: 3600,
        firmware: '0.1.0',
        modelSha256: SHA,
        rssi: -61,
        freeHeap: 143_360,
        outboxDepth: 0,
        lastSeq: 3,
        thresholds: { alert: 0.52, borderlineLow: 0.44, learned: true },
      },
    ],
    [
      'heartbeat-response',
      'HeartbeatResponse',
      {
        ok: true,
        serverTime: T0 + 12_000,
        config: {
          cadenceS: 10,
          thresholds: { alert: 1, borderlineLow: 0.7 },
          model: { name: 'default', sha256: SHA, url: `/api/v1/device/models/${SHA}` },
        },
      },
    ],
    [
      'config',
      'DeviceConfig',
      {
        cadenceS: 10,
        thresholds: { alert: 1, borderlineLow: 0.7 },
        model: { name: 'default', sha256: SHA, url: `/api/v1/device/models/${SHA}` },
      },
    ],
    [
      'error-422',
      'Error',
      {
        error: {
          code: 'schema',
          message: 'request body does not match the VerdictBatch schema',
          issues: [{ path: 'windows.0.score', message: 'Invalid input: expected number, received string' }],
        },
      },
    ],
  ];
}

export function renderSchema(): string {
  const defs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(PROTOCOL_SCHEMAS)) {
    const { $schema: _drop, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Record<
      string,
      unknown
    >;
    defs[name] = json;
  }
  return `${JSON.stringify(
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://signalcraft.dev/protocol/v1/schema.json',
      title: `Signalcraft device protocol v${PROTOCOL_VERSION}`,
      description:
        'Generated from cloud/src/protocol/schemas.ts by export.ts; do not edit. Routes: POST /api/v1/device/verdicts ' +
        '(VerdictBatch → Ack), POST /api/v1/device/clips (ClipUpload → ClipAck), POST /api/v1/device/heartbeat ' +
        '(Heartbeat → HeartbeatResponse), GET /api/v1/device/config (DeviceConfig), GET /api/v1/device/models/:sha256 ' +
        '(the .tflite bytes). All need Authorization: Bearer <device token>. Errors: Error with status 4xx.',
      $defs: defs,
    },
    null,
    2,
  )}\n`;
}

/** Every generated file: path relative to this folder → contents. */
export function renderProtocolFiles(): Map<string, string> {
  const files = new Map<string, string>([['schema.json', renderSchema()]]);
  for (const [stem, schemaName, value] of protocolExamples()) {
    PROTOCOL_SCHEMAS[schemaName].parse(value);
    files.set(`examples/${stem}.json`, `${JSON.stringify(value, null, 2)}\n`);
  }
  return files;
}

/** Names of generated files whose committed copy differs from what the schemas produce now. */
export async function staleProtocolFiles(dir = HERE): Promise<string[]> {
  const stale: string[] = [];
  for (const [rel, text] of renderProtocolFiles()) {
    const onDisk = await readFile(path.join(dir, rel), 'utf8').catch(() => null);
    if (onDisk !== text) stale.push(rel);
  }
  return stale;
}

async function main(): Promise<void> {
  if (process.argv.includes('--check')) {
    const stale = await staleProtocolFiles();
    if (stale.length) {
      console.error(`stale protocol files (run npx tsx cloud/src/protocol/export.ts): ${stale.join(', ')}`);
      process.exit(1);
    }
    return;
  }
  await mkdir(path.join(HERE, 'examples'), { recursive: true });
  for (const [rel, text] of renderProtocolFiles()) await writeFile(path.join(HERE, rel), text);
  console.log(`wrote schema.json and ${renderProtocolFiles().size - 1} examples to ${HERE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
