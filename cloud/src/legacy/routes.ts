import { eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { toMono16k } from '../../../edge-model/src/audio/load.ts';
import { decodeWav, WavError } from '../../../edge-model/src/audio/wav.ts';
import { computeLogMel } from '../../../edge-model/src/frontend/logmel.ts';
import type { AppContext } from '../context.ts';
import { devices } from '../db/schema.ts';
import { type DeviceEnv, deviceAuth } from '../device/auth.ts';
import { claimSeq, storeWindows } from '../device/ingest.ts';
import { RateLimiter } from '../device/rate-limit.ts';
import { deviceConfigFor } from '../device/routes.ts';
import { ApiError } from '../errors.ts';
import { readBody, readJson } from '../http/body.ts';
import { clientAddress } from '../http/client-address.ts';

/** The legacy ESP32 payload: field names vary between firmware versions, so several are accepted. */
export const legacyPayload = z
  .object({
    deviceId: z.string().min(1).max(64).optional(),
    timestamp: z.number().nonnegative().optional(),
    rms: z.number().nonnegative().optional(),
    level: z.number().optional(),
    anomalyScore: z.number().nonnegative().optional(),
    score: z.number().nonnegative().optional(),
    status: z.string().max(32).optional(),
  })
  .refine((p) => p.anomalyScore !== undefined || p.score !== undefined, { message: 'needs anomalyScore or score' });

/** Fixed boot id of the legacy ingestion path; its seq is the payload's unix second. */
export const LEGACY_BOOT_ID = '1e9ac70000000000';

const LEGACY_STATES: Record<string, 'normal' | 'watch' | 'alarm' | 'learning'> = {
  normal: 'normal',
  ok: 'normal',
  good: 'normal',
  warning: 'watch',
  watch: 'watch',
  caution: 'watch',
  anomaly: 'alarm',
  abnormal: 'alarm',
  alarm: 'alarm',
  critical: 'alarm',
  learning: 'learning',
  calibrating: 'learning',
};

export const MAX_ANALYZE_BYTES = 20 * 1024 * 1024;
const MAX_ANALYZE_SECONDS = 60;

/** Legacy routes: GET /, POST /api/esp32/data, POST /api/lightweight-analyze. */
export function legacyRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/', (c) => c.html(LANDING));

  const esp = new Hono<DeviceEnv>();
  esp.use('*', deviceAuth(ctx));
  esp.post('/', async (c) => {
    const device = c.get('device');
    const p = await readJson(c, legacyPayload, 'legacy ESP32 payload', 16 * 1024);
    if (p.deviceId !== undefined && p.deviceId !== device.id) {
      throw new ApiError(403, 'device_mismatch', `the token belongs to device ${device.id}, not ${p.deviceId}`);
    }
    const now = ctx.now();
    // seconds or milliseconds, whichever the firmware sent
    const t = p.timestamp === undefined ? now : p.timestamp < 1e12 ? Math.round(p.timestamp * 1000) : Math.round(p.timestamp);
    const score = (p.anomalyScore ?? p.score)!;
    const threshold = deviceConfigFor(ctx, device).thresholds.alert;
    const state = (p.status && LEGACY_STATES[p.status.toLowerCase()]) || (score >= threshold ? 'alarm' : 'normal');
    const levelDb = p.level ?? (p.rms !== undefined ? 20 * Math.log10(Math.max(p.rms, 1e-10)) : -100);
    const seq = Math.floor(t / 1000) % 2 ** 32;
    const windows = [{ t, score, state, levelDb: Math.max(-200, Math.min(200, levelDb)) }];
    const batch = { v: 1 as const, deviceId: device.id, bootId: LEGACY_BOOT_ID, seq, modelSha256: '0'.repeat(64), windows };
    const result = await ctx.database.write(async (tx) => {
      // legacy devices have no outbox counter: dedupe on the second, never record gaps
      const claim = await claimSeq(tx, device, LEGACY_BOOT_ID, seq, 'legacy', now, null, false);
      if (!claim.duplicate) await storeWindows(tx, device, batch, windows);
      await tx.update(devices).set({ lastSeen: now }).where(eq(devices.id, device.id));
      return claim;
    });
    if (!result.duplicate) void ctx.pipeline.verdicts(device, windows, threshold);
    void ctx.pipeline.seen(device);
    return c.json({ ok: true, success: true, duplicate: result.duplicate, stored: { t, score, state }, serverTime: now });
  });
  app.route('/api/esp32/data', esp);

  const perIp = new RateLimiter(10, 0.5, ctx.now);
  app.post('/api/lightweight-analyze', async (c) => {
    const ip = clientAddress(c);
    const wait = perIp.take(ip);
    if (wait > 0)
      throw new ApiError(429, 'rate_limited', `too many analyses; retry in ${wait} s`, undefined, {
        'retry-after': String(wait),
      });
    const { bytes, name } = await readAudio(c);
    let pcm: Float32Array;
    let info: { sampleRate: number; channels: number; format: string };
    try {
      const wav = decodeWav(bytes, name);
      info = { sampleRate: wav.sampleRate, channels: wav.channels, format: wav.format };
      pcm = toMono16k(wav);
    } catch (err) {
      if (err instanceof WavError || err instanceof RangeError) throw new ApiError(422, 'bad_audio', err.message);
      throw err;
    }
    if (pcm.length < 16000 * 0.5) throw new ApiError(422, 'too_short', 'the recording must be at least 0.5 s long');
    if (pcm.length > 16000 * MAX_ANALYZE_SECONDS)
      throw new ApiError(413, 'too_long', `the recording must be at most ${MAX_ANALYZE_SECONDS} s long`);
    const summary = summarise(pcm);
    const { ensemble, error } = await ctx.rescore.getEnsemble();
    let verdict = null;
    if (ensemble) {
      try {
        verdict = await ensemble.rescore(pcm, { maxSeconds: MAX_ANALYZE_SECONDS });
      } catch (err) {
        throw new ApiError(422, 'bad_audio', `the ensemble cannot score this recording: ${(err as Error).message}`);
      }
    }
    return c.json({
      ok: true,
      file: name,
      input: { ...info, durationS: pcm.length / 16000 },
      analysis: verdict
        ? { source: 'ensemble', ...verdict }
        : { source: 'log-mel summary', note: `no ensemble available (${error}); showing a level summary only` },
      summary,
    });
  });

  return app;
}

/** multipart/form-data with an `audio` file, or a raw audio/wav body. */
async function readAudio(c: Context): Promise<{ bytes: Uint8Array; name: string }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'multipart/form-data') {
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > MAX_ANALYZE_BYTES)
      throw new ApiError(413, 'too_large', `upload is larger than ${MAX_ANALYZE_BYTES} bytes`);
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (err) {
      throw new ApiError(400, 'bad_form', `could not read the form: ${(err as Error).message}`);
    }
    const file = form.get('audio');
    if (!file || typeof file === 'string') throw new ApiError(422, 'schema', 'send the recording as a file field named "audio"');
    if (file.size > MAX_ANALYZE_BYTES) throw new ApiError(413, 'too_large', `upload is larger than ${MAX_ANALYZE_BYTES} bytes`);
    return { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name || 'upload.wav' };
  }
  if (type === 'audio/wav' || type === 'audio/x-wav' || type === 'audio/wave' || type === 'application/octet-stream') {
    return { bytes: await readBody(c, MAX_ANALYZE_BYTES), name: 'upload.wav' };
  }
  throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data with an "audio" file, or an audio/wav body');
}

/** Level and spectral-balance summary from the log-mel front end (what the device itself sees). */
export function summarise(pcm: Float32Array) {
  let e = 0;
  let peak = 0;
  for (const x of pcm) {
    e += x * x;
    peak = Math.max(peak, Math.abs(x));
  }
  const mel = computeLogMel(pcm);
  const bands = new Float64Array(mel.nMels);
  for (let f = 0; f < mel.frames; f++) for (let m = 0; m < mel.nMels; m++) bands[m] += mel.data[f * mel.nMels + m] / mel.frames;
  const third = Math.floor(mel.nMels / 3);
  const avg = (a: number, b: number) => bands.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    rmsDb: r(20 * Math.log10(Math.max(Math.sqrt(e / pcm.length), 1e-10))),
    peakDb: r(20 * Math.log10(Math.max(peak, 1e-10))),
    clipping: peak >= 0.999,
    frames: mel.frames,
    bandMeansDb: { low: r(avg(0, third)), mid: r(avg(third, 2 * third)), high: r(avg(2 * third, mel.nMels)) },
    loudestMelBand: bands.indexOf(Math.max(...bands)),
  };
}

const LANDING = `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Signalcraft — 압축기 이상음 감지</title>
<style>body{font-family:system-ui,'Noto Sans KR',sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1d2330}
a.btn{display:inline-block;margin:.3rem .5rem .3rem 0;padding:.6rem 1rem;border-radius:.4rem;background:#1d4ed8;color:#fff;text-decoration:none}
small{color:#5b6475}</style></head>
<body>
<h1>Signalcraft</h1>
<p>냉동·냉장 압축기의 소리를 ESP32가 현장에서 듣고, 고장 징후를 미리 알려 드립니다.<br>
<small>An ESP32 listens to refrigeration compressors on site and warns you before they fail.</small></p>
<p><a class="btn" href="/app/">대시보드 · Dashboard</a><a class="btn" href="/flasher/">장치 설치 · Flash a device</a></p>
<p><small>API: <a href="/api/openapi.json">/api/openapi.json</a> · 상태 <a href="/healthz">/healthz</a></small></p>
</body></html>`;
