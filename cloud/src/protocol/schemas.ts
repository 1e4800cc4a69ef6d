import { z } from 'zod';

/**
 * Device ↔ cloud protocol v1 (contract E): the one source of truth. `schema.json` and
 * `examples/*.json` are generated from this file by `export.ts`; the firmware tests validate
 * against those, the cloud validates with these zod schemas.
 */
export const PROTOCOL_VERSION = 1;
export const DEVICE_API_PREFIX = '/api/v1/device';
/** A clip may hold at most this many seconds of audio. */
export const MAX_CLIP_SECONDS = 10;
export const CLIP_SAMPLE_RATE = 16000;
export const MAX_CLIP_SAMPLES = MAX_CLIP_SECONDS * CLIP_SAMPLE_RATE;
/** Verdict windows per batch. */
export const MAX_WINDOWS_PER_BATCH = 120;
/** Body limits (bytes); base64 pcm16 of 10 s is ~427 kB. */
export const BODY_LIMITS = { verdicts: 64 * 1024, clips: 512 * 1024, heartbeat: 8 * 1024 } as const;

const uint32 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const msEpoch = z.number().int().min(0).max(8.64e15).describe('milliseconds since the Unix epoch (UTC)');
const hex64 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (sha256)')
  .describe('sha256, 64 lowercase hex characters');

export const deviceId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 characters of A–Z a–z 0–9 _ -')
  .describe('the device id the cloud assigned at registration');
export const bootId = z
  .string()
  .regex(/^[0-9a-fA-F]{8,32}$/, 'must be 8–32 hex characters')
  .describe('random id chosen at each boot (8–32 hex characters)');

/** Every message starts with this envelope. */
export const envelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  deviceId,
  bootId,
  seq: uint32.describe('outbox sequence number, one counter per boot over verdict batches and clips, starting at 1'),
});

export const windowState = z.enum(['learning', 'normal', 'watch', 'alarm']);
export type WindowState = z.infer<typeof windowState>;

export const verdictWindow = z.object({
  t: msEpoch.describe('end of the scoring window, ms epoch'),
  score: z.number().min(0).max(1e6).describe('edge anomaly score as the model card defines it; compare with thresholds.alert'),
  state: windowState,
  levelDb: z.number().min(-200).max(200).describe('mean log-mel level of the window in dB'),
});

export const verdictBatch = envelope.extend({
  seq: uint32.min(1),
  sentAt: msEpoch.optional().describe('device clock when the batch was (re)sent; lets the cloud estimate skew'),
  modelSha256: hex64.describe('sha256 of the .tflite that produced the scores'),
  windows: z.array(verdictWindow).min(1).max(MAX_WINDOWS_PER_BATCH),
});
export type VerdictBatch = z.infer<typeof verdictBatch>;

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard base64');

export const clipUpload = envelope.extend({
  seq: uint32.min(1),
  t: msEpoch.describe('start of the clip, ms epoch'),
  edgeScore: z.number().min(0).max(1e6),
  sampleRate: z.literal(CLIP_SAMPLE_RATE),
  encoding: z
    .enum(['pcm16', 'ima-adpcm'])
    .describe(
      'pcm16: int16 little-endian mono. ima-adpcm: a 4-byte header (int16 LE initial predictor, uint8 step index 0..88, ' +
        'uint8 reserved = 0) then 4-bit IMA ADPCM codes, two per byte, low nibble first; `samples` says how many to decode',
    ),
  samples: z.number().int().min(1).max(MAX_CLIP_SAMPLES).describe(`decoded sample count, at most ${MAX_CLIP_SAMPLES} (10 s)`),
  audio: base64.describe('the encoded audio bytes, base64'),
});
export type ClipUpload = z.infer<typeof clipUpload>;

export const heartbeat = envelope.extend({
  seq: uint32.describe('the last seq assigned to an outbox message this boot (0 if none yet)'),
  uptimeS: z.number().int().min(0),
  firmware: z.string().min(1).max(64),
  modelSha256: hex64,
  rssi: z.number().int().min(-127).max(0).optional(),
  freeHeap: z.number().int().min(0).optional(),
  outboxDepth: z.number().int().min(0).optional(),
  lastSeq: uint32,
  thresholds: z
    .object({
      alert: z.number().positive().max(1e6),
      borderlineLow: z.number().min(0).max(1e6),
      learned: z.boolean().describe('true once the device has calibrated them from its own normal sound'),
    })
    .refine((t) => t.borderlineLow <= t.alert, { message: 'borderlineLow must not exceed alert' })
    .optional()
    .describe("the thresholds the device decides with; the cloud judges this machine's scores by them"),
});
export type Heartbeat = z.infer<typeof heartbeat>;

export const ack = z.object({
  ok: z.literal(true),
  ack: z.object({ bootId, seq: uint32 }),
  duplicate: z.boolean().describe('true when this (deviceId, bootId, seq) was already stored; nothing changed'),
  serverTime: msEpoch,
});
export const clipAck = ack.extend({ clipId: z.string() });

export const deviceConfig = z.object({
  cadenceS: z.number().int().min(1).describe('seconds between verdict batches'),
  thresholds: z.object({ alert: z.number(), borderlineLow: z.number() }),
  model: z.object({ name: z.string(), sha256: hex64, url: z.string() }).nullable(),
});
export type DeviceConfig = z.infer<typeof deviceConfig>;

export const heartbeatResponse = z.object({ ok: z.literal(true), serverTime: msEpoch, config: deviceConfig });

export const errorBody = z.object({
  error: z.object({
    code: z.string().describe('stable machine-readable code, e.g. "schema", "unauthorized", "rate_limited"'),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** Every schema the export writes, keyed by its name in schema.json `$defs`. */
export const PROTOCOL_SCHEMAS = {
  VerdictBatch: verdictBatch,
  ClipUpload: clipUpload,
  Heartbeat: heartbeat,
  Ack: ack,
  ClipAck: clipAck,
  DeviceConfig: deviceConfig,
  HeartbeatResponse: heartbeatResponse,
  Error: errorBody,
} as const;
