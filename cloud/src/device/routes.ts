import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { clips, devices, rescoreJobs } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { readJson } from '../http/body.ts';
import { newId } from '../ids.ts';
import { FALLBACK_THRESHOLDS } from '../models/registry.ts';
import { Pipeline } from '../pipeline.ts';
import { ClipAudioError, decodeClipAudio } from '../protocol/clip-audio.ts';
import { BODY_LIMITS, clipUpload, type DeviceConfig, heartbeat, verdictBatch } from '../protocol/schemas.ts';
import type { RealtimeEvent } from '../realtime/broadcaster.ts';
import { assertSameDevice, type DeviceEnv, type DeviceRecord, deviceAuth } from './auth.ts';
import { claimSeq, clockCorrection, recordTailLoss, storeWindows } from './ingest.ts';

/** Thresholds and cadence for one device: its overrides, else the model card, else the fallback. */
export function deviceConfigFor(
  ctx: AppContext,
  device: Pick<DeviceRecord, 'alertThreshold' | 'borderlineLow' | 'cadenceS'>,
): DeviceConfig {
  const base = ctx.model?.thresholds ?? FALLBACK_THRESHOLDS;
  return {
    cadenceS: device.cadenceS ?? ctx.model?.cadenceS ?? ctx.config.DEVICE_CADENCE_S,
    thresholds: { alert: device.alertThreshold ?? base.alert, borderlineLow: device.borderlineLow ?? base.borderlineLow },
    model: ctx.model
      ? {
          name: ctx.model.name,
          sha256: ctx.model.sha256,
          url: `${ctx.config.publicUrl}/api/v1/device/models/${ctx.model.sha256}`,
        }
      : null,
  };
}

/** Contract E: `/api/v1/device/*`, bearer device token, write-before-ack. */
export function deviceRoutes(ctx: AppContext): Hono<DeviceEnv> {
  const app = new Hono<DeviceEnv>();
  app.use('*', deviceAuth(ctx));

  const touch = (device: DeviceRecord, now: number) =>
    ctx.db.update(devices).set({ lastSeen: now }).where(eq(devices.id, device.id));

  app.post('/verdicts', async (c) => {
    const device = c.get('device');
    const batch = await readJson(c, verdictBatch, 'VerdictBatch', BODY_LIMITS.verdicts);
    assertSameDevice(device, batch.deviceId);
    const now = ctx.now();
    const shift = clockCorrection(batch, now);
    const windows = shift ? batch.windows.map((w) => ({ ...w, t: w.t + shift })) : batch.windows;
    const threshold = deviceConfigFor(ctx, device).thresholds.alert;
    const result = await ctx.database.write(async (tx) => {
      const claim = await claimSeq(tx, device, batch.bootId, batch.seq, 'verdicts', now);
      let event: RealtimeEvent | undefined;
      if (!claim.duplicate) {
        await storeWindows(tx, device, batch, windows);
        event = await ctx.bus.record(tx, device.orgId, 'verdict', Pipeline.verdictEvent(device, windows, threshold));
      }
      await tx.update(devices).set({ lastSeen: now }).where(eq(devices.id, device.id));
      return { ...claim, event };
    });
    if (!result.duplicate) {
      void ctx.pipeline.verdicts(device, windows, threshold, result.event);
      void ctx.pipeline.dataLoss(device, result.gaps);
    }
    void ctx.pipeline.seen(device);
    return c.json({
      ok: true as const,
      ack: { bootId: batch.bootId, seq: batch.seq },
      duplicate: result.duplicate,
      serverTime: now,
    });
  });

  app.post('/clips', async (c) => {
    const device = c.get('device');
    const upload = await readJson(c, clipUpload, 'ClipUpload', BODY_LIMITS.clips);
    assertSameDevice(device, upload.deviceId);
    let pcm: Int16Array;
    try {
      pcm = decodeClipAudio(upload);
    } catch (err) {
      if (err instanceof ClipAudioError) throw new ApiError(422, 'bad_audio', `clip audio is unusable: ${err.message}`);
      throw err;
    }
    // the file goes to disk (fsynced) before the row that points at it is committed
    const sha = await ctx.clips.put(pcm);
    const now = ctx.now();
    const clipId = newId('clp');
    const result = await ctx.database.write(async (tx) => {
      const claim = await claimSeq(tx, device, upload.bootId, upload.seq, 'clip', now, clipId);
      if (!claim.duplicate) {
        await tx.insert(clips).values({
          id: clipId,
          orgId: device.orgId,
          deviceId: device.id,
          machineId: device.machineId,
          t: upload.t,
          edgeScore: upload.edgeScore,
          encoding: upload.encoding,
          samples: upload.samples,
          sampleRate: upload.sampleRate,
          sha256: sha,
        });
        await tx.insert(rescoreJobs).values({ clipId, updatedAt: now });
      }
      await tx.update(devices).set({ lastSeen: now }).where(eq(devices.id, device.id));
      return claim;
    });
    if (!result.duplicate) {
      ctx.kickRescore();
      void ctx.pipeline.dataLoss(device, result.gaps);
    }
    void ctx.pipeline.seen(device);
    return c.json({
      ok: true as const,
      ack: { bootId: upload.bootId, seq: upload.seq },
      duplicate: result.duplicate,
      serverTime: now,
      clipId: result.clipId ?? clipId,
    });
  });

  app.post('/heartbeat', async (c) => {
    const device = c.get('device');
    const hb = await readJson(c, heartbeat, 'Heartbeat', BODY_LIMITS.heartbeat);
    assertSameDevice(device, hb.deviceId);
    const now = ctx.now();
    await ctx.db
      .update(devices)
      .set({
        lastSeen: now,
        firmware: hb.firmware,
        modelSha256: hb.modelSha256,
        rssi: hb.rssi ?? null,
        freeHeap: hb.freeHeap ?? null,
        outboxDepth: hb.outboxDepth ?? null,
        uptimeS: hb.uptimeS,
        // Edge decides: once a device reports the thresholds it judges with (its own baseline after
        // learning), alarm rules, the timeline and the device config use them for this machine.
        ...(hb.thresholds ? { alertThreshold: hb.thresholds.alert, borderlineLow: hb.thresholds.borderlineLow } : {}),
      })
      .where(eq(devices.id, device.id));
    // outbox empty yet the last seq never arrived: the device dropped those messages
    const gaps =
      hb.outboxDepth === 0 && hb.lastSeq > 0
        ? await ctx.database.write((tx) => recordTailLoss(tx, device, hb.bootId, hb.lastSeq, now))
        : [];
    void ctx.pipeline.dataLoss(device, gaps);
    void ctx.pipeline.seen(device);
    const current = hb.thresholds
      ? { ...device, alertThreshold: hb.thresholds.alert, borderlineLow: hb.thresholds.borderlineLow }
      : device;
    return c.json({ ok: true as const, serverTime: now, config: deviceConfigFor(ctx, current) });
  });

  app.get('/config', async (c) => {
    const device = c.get('device');
    await touch(device, ctx.now());
    return c.json(deviceConfigFor(ctx, device));
  });

  app.get('/models/:sha256', (c) => {
    const sha = c.req.param('sha256');
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new ApiError(400, 'bad_sha256', 'the model id must be a lowercase hex sha256');
    if (!ctx.model || ctx.model.sha256 !== sha) throw new ApiError(404, 'not_found', `no model with sha256 ${sha}`);
    return c.body(ctx.model.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(ctx.model.bytes.byteLength),
      etag: `"${sha}"`,
    });
  });

  return app;
}

/** Used by the fleet views: a device is offline after OFFLINE_AFTER_S of silence. */
export const isOffline = (ctx: AppContext, lastSeen: number | null) =>
  lastSeen === null || ctx.now() - lastSeen > ctx.config.OFFLINE_AFTER_S * 1000;
