import { and, asc, desc, eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { encodeWav } from '../../../edge-model/src/audio/wav.ts';
import { computeLogMel } from '../../../edge-model/src/frontend/logmel.ts';
import { FAULT_IDS } from '../../../edge-model/src/synth/faults.ts';
import { requireRole, requireUser, type UserEnv } from '../auth/session.ts';
import { signPurpose, verifyPurpose } from '../auth/signed-url.ts';
import type { AppContext } from '../context.ts';
import { clipLabels, clips, cloudVerdicts, machines, rescoreJobs, users } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { readJson } from '../http/body.ts';
import { int16ToFloat } from '../protocol/clip-audio.ts';

export const LABELS = ['normal', 'false-alarm', ...FAULT_IDS] as const;
export const labelBody = z.object({ label: z.enum(LABELS), note: z.string().trim().max(1000).optional() });

/** /api/clips/:id (+ /audio, /spectrogram, /labels) and GET /api/labels/export. */
export function clipRoutes(ctx: AppContext): Hono<UserEnv> {
  const app = new Hono<UserEnv>();

  const clipOf = async (orgId: string, id: string) => {
    const [clip] = await ctx.db
      .select()
      .from(clips)
      .where(and(eq(clips.id, id), eq(clips.orgId, orgId)));
    if (!clip) throw notFound('clip');
    return clip;
  };

  app.get('/clips/:id', async (c) => {
    const me = requireUser(c);
    const clip = await clipOf(me.orgId, c.req.param('id'));
    const [v] = await ctx.db.select().from(cloudVerdicts).where(eq(cloudVerdicts.clipId, clip.id));
    const [job] = await ctx.db.select().from(rescoreJobs).where(eq(rescoreJobs.clipId, clip.id));
    const labels = await ctx.db
      .select({
        id: clipLabels.id,
        label: clipLabels.label,
        note: clipLabels.note,
        userId: clipLabels.userId,
        userName: users.name,
        createdAt: clipLabels.createdAt,
      })
      .from(clipLabels)
      .leftJoin(users, eq(users.id, clipLabels.userId))
      .where(eq(clipLabels.clipId, clip.id))
      .orderBy(asc(clipLabels.id));
    const { sha256: _sha, ...rest } = clip;
    return c.json({
      ...rest,
      durationS: clip.samples / clip.sampleRate,
      rescore: job ? { status: job.status, error: job.error, attempts: job.attempts } : null,
      cloudVerdict: v
        ? {
            score: v.score,
            state: v.state,
            fault: v.faultType ? { type: v.faultType, confidence: v.faultConfidence ?? 0 } : null,
            explanation: v.explanation,
            detectors: v.detectors,
            version: v.version,
            createdAt: v.createdAt,
          }
        : null,
      labels,
    });
  });

  const LINK_TTL_MS = 24 * 3600_000;
  const signedAudioUrl = (clipId: string, exp: number) =>
    `${ctx.config.publicUrl}/api/clips/${clipId}/audio?exp=${exp}&sig=${signPurpose(ctx.secrets.sessionSecret, `clip-audio:${clipId}`, exp)}`;
  /** A `sig` query parameter grants access without a session, for exactly the purpose it was signed for. */
  const signed = (c: Context<UserEnv>, purpose: string): boolean => {
    const sig = c.req.query('sig');
    if (!sig) return false;
    if (!verifyPurpose(ctx.secrets.sessionSecret, purpose, Number(c.req.query('exp')), sig, ctx.now())) {
      throw new ApiError(401, 'bad_signature', 'the link is invalid or expired; create a new one');
    }
    return true;
  };

  app.get('/clips/:id/audio', async (c) => {
    const id = c.req.param('id');
    let clip: typeof clips.$inferSelect;
    if (signed(c, `clip-audio:${id}`)) {
      const [row] = await ctx.db.select().from(clips).where(eq(clips.id, id));
      if (!row) throw notFound('clip');
      clip = row;
    } else {
      clip = await clipOf(requireUser(c).orgId, id);
    }
    const pcm = await ctx.clips.get(clip.sha256);
    const wav = encodeWav({ sampleRate: clip.sampleRate, channels: [int16ToFloat(pcm)], format: 'pcm16' });
    return c.body(wav as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'audio/wav',
      'content-disposition': `inline; filename="${clip.id}.wav"`,
      'cache-control': 'private, max-age=86400, immutable',
    });
  });

  app.get('/clips/:id/spectrogram', async (c) => {
    const me = requireUser(c);
    const clip = await clipOf(me.orgId, c.req.param('id'));
    const mel = computeLogMel(int16ToFloat(await ctx.clips.get(clip.sha256)));
    return c.json({ frames: mel.frames, nMels: mel.nMels, data: Array.from(mel.data, (v) => Math.round(v * 100) / 100) });
  });

  app.post('/clips/:id/labels', async (c) => {
    const me = requireRole(c, 'technician');
    const clip = await clipOf(me.orgId, c.req.param('id'));
    const body = await readJson(c, labelBody, 'label');
    const [row] = await ctx.db
      .insert(clipLabels)
      .values({ clipId: clip.id, orgId: me.orgId, userId: me.id, label: body.label, note: body.note ?? null })
      .returning();
    return c.json(row, 201);
  });

  /**
   * The org's labels, newest label per clip, for `train --labels-from` / `train-ensemble --labels-from`:
   * a JSON array `[{clipId, label, note, machineId, compressorType, t, edgeScore, labelledAt, audioUrl}]`
   * (the array shape the ensemble's label reader takes; audio is at `audioUrl`, same session needed).
   */
  /** A link to the labels export that works without a session for 24 h (for `--labels-from URL`). */
  app.get('/labels/export-link', (c) => {
    const me = requireUser(c);
    const exp = ctx.now() + LINK_TTL_MS;
    const sig = signPurpose(ctx.secrets.sessionSecret, `labels:${me.orgId}`, exp);
    return c.json({ url: `${ctx.config.publicUrl}/api/labels/export?org=${me.orgId}&exp=${exp}&sig=${sig}`, expiresAt: exp });
  });

  app.get('/labels/export', async (c) => {
    const org = c.req.query('org') ?? '';
    const viaLink = signed(c, `labels:${org}`);
    const me = viaLink ? { orgId: org } : requireUser(c);
    const exp = ctx.now() + LINK_TTL_MS;
    const rows = await ctx.db
      .select({
        clipId: clipLabels.clipId,
        label: clipLabels.label,
        note: clipLabels.note,
        labelledAt: clipLabels.createdAt,
        labelId: clipLabels.id,
        machineId: clips.machineId,
        compressorType: machines.compressorType,
        t: clips.t,
        edgeScore: clips.edgeScore,
      })
      .from(clipLabels)
      .innerJoin(clips, eq(clips.id, clipLabels.clipId))
      .innerJoin(machines, eq(machines.id, clips.machineId))
      .where(eq(clipLabels.orgId, me.orgId))
      .orderBy(desc(clipLabels.id));
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!latest.has(r.clipId)) latest.set(r.clipId, r);
    return c.json(
      [...latest.values()].map(({ labelId: _id, ...r }) => ({
        ...r,
        audioUrl: `${ctx.config.publicUrl}/api/clips/${r.clipId}/audio`,
        // through a link, each entry carries a signed audio URL the label reader fetches as `path`
        ...(viaLink ? { path: signedAudioUrl(r.clipId, exp) } : {}),
      })),
    );
  });

  return app;
}
