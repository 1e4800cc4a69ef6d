import path from 'node:path';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { clips, cloudVerdicts, devices, rescoreJobs } from '../db/schema.ts';
import { REPO_ROOT } from '../models/registry.ts';
import { int16ToFloat } from '../protocol/clip-audio.ts';
import { ThreadedEnsemble } from './threaded-ensemble.ts';

/** Contract G, restated so the cloud runs (with a clear status) while the ensemble is absent. */
export interface CloudVerdict {
  version: string;
  score: number;
  state: 'normal' | 'borderline' | 'anomalous';
  fault: { type: string; confidence: number } | null;
  explanation: { feature: string; value: number; z: number; direction: 'high' | 'low' }[];
  detectors: Record<string, number>;
}
export interface Ensemble {
  version: string;
  /** Synchronous in contract G; the threaded wrapper answers with a promise. */
  rescore(pcm: Float32Array, opts?: { sampleRate?: number; maxSeconds?: number }): CloudVerdict | Promise<CloudVerdict>;
  close?(): Promise<void>;
}
export type EnsembleLoader = (dir: string) => Promise<Ensemble>;

export const DEFAULT_ENSEMBLE_DIR = path.join(REPO_ROOT, 'models', 'ensemble');
export const MAX_ATTEMPTS = 3;

/**
 * Loads `cloud/src/ensemble/scorer.ts` `loadEnsemble(dir)` inside a worker thread; a missing module
 * or model becomes a 'no-ensemble' status with the loader's message.
 */
export const importEnsembleLoader: EnsembleLoader = (dir) => ThreadedEnsemble.load(dir);

/**
 * The persistent re-scoring queue's worker: one job at a time (re-scoring is CPU-bound and the
 * machine is small). Jobs live in `rescore_jobs`; a job found 'running' at start was cut off by a
 * crash and is queued again, so a restart loses nothing.
 */
export class RescoreWorker {
  private running = false;
  private again = false;
  private stopped = false;
  private ensemble: Promise<Ensemble> | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private ctx: AppContext,
    private loader: EnsembleLoader = importEnsembleLoader,
    private dir = ctx.config.ENSEMBLE_DIR ? path.resolve(ctx.config.ENSEMBLE_DIR) : DEFAULT_ENSEMBLE_DIR,
  ) {}

  /** Re-queues jobs a previous process left 'running' (and 'no-ensemble' ones, in case one exists now). */
  async recover(): Promise<number> {
    const rows = await this.ctx.db
      .update(rescoreJobs)
      .set({ status: 'queued', updatedAt: this.ctx.now() })
      .where(inArray(rescoreJobs.status, ['running', 'no-ensemble']))
      .returning({ id: rescoreJobs.id });
    return rows.length;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.ctx.track(this.drain()).finally(() => {
      this.running = false;
    });
  }

  /** Resolves when the queue is empty (tests). */
  async whenIdle(): Promise<void> {
    do {
      await this.idle;
    } while (this.running);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Stops the ensemble thread (after the queue is idle). */
  async close(): Promise<void> {
    this.stop();
    await this.whenIdle();
    const e = await this.ensemble?.catch(() => null);
    await e?.close?.();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped && (await this.runOne())) {
        // yield so requests are served between clips
        await new Promise((r) => setImmediate(r));
      }
    } while (this.again && !this.stopped);
  }

  private async loadEnsemble(): Promise<Ensemble> {
    this.ensemble ??= this.loader(this.dir);
    try {
      return await this.ensemble;
    } catch (err) {
      this.ensemble = null;
      throw err;
    }
  }

  /** The ensemble, or null with the reason it could not be loaded. */
  async getEnsemble(): Promise<{ ensemble: Ensemble | null; error: string | null }> {
    try {
      return { ensemble: await this.loadEnsemble(), error: null };
    } catch (err) {
      return { ensemble: null, error: (err as Error).message };
    }
  }

  /** Claims and processes the oldest queued job; false when there is none. */
  async runOne(): Promise<boolean> {
    const now = this.ctx.now();
    const claimed = await this.ctx.database.write(async (tx) => {
      const [next] = await tx
        .select({ id: rescoreJobs.id })
        .from(rescoreJobs)
        .where(eq(rescoreJobs.status, 'queued'))
        .orderBy(asc(rescoreJobs.id))
        .limit(1);
      if (!next) return null;
      const [job] = await tx
        .update(rescoreJobs)
        .set({ status: 'running', updatedAt: now })
        .where(and(eq(rescoreJobs.id, next.id), eq(rescoreJobs.status, 'queued')))
        .returning();
      return job ?? null;
    });
    if (!claimed) return false;
    const finish = (status: 'done' | 'failed' | 'queued' | 'no-ensemble', error: string | null, attempts = claimed.attempts) =>
      this.ctx.db
        .update(rescoreJobs)
        .set({ status, error, attempts, updatedAt: this.ctx.now() })
        .where(eq(rescoreJobs.id, claimed.id));

    let ensemble: Ensemble;
    try {
      ensemble = await this.loadEnsemble();
    } catch (err) {
      await finish('no-ensemble', `no ensemble: ${(err as Error).message}`);
      this.ctx.log.warn('re-scoring skipped: no ensemble', { clipId: claimed.clipId, error: String((err as Error).message) });
      return true;
    }
    const attempts = claimed.attempts + 1;
    try {
      const [clip] = await this.ctx.db.select().from(clips).where(eq(clips.id, claimed.clipId));
      if (!clip) {
        await finish('failed', 'clip row is missing', attempts);
        return true;
      }
      const pcm = int16ToFloat(await this.ctx.clips.get(clip.sha256));
      const v = await ensemble.rescore(pcm);
      const verdict = {
        score: v.score,
        state: v.state,
        faultType: v.fault?.type ?? null,
        faultConfidence: v.fault?.confidence ?? null,
        explanation: v.explanation,
        detectors: v.detectors,
        version: v.version ?? ensemble.version,
      };
      await this.ctx.database.write(async (tx) => {
        await tx
          .insert(cloudVerdicts)
          .values({ clipId: clip.id, orgId: clip.orgId, ...verdict })
          .onConflictDoUpdate({ target: cloudVerdicts.clipId, set: verdict });
        await tx
          .update(rescoreJobs)
          .set({ status: 'done', error: null, attempts, updatedAt: this.ctx.now() })
          .where(eq(rescoreJobs.id, claimed.id));
      });
      const [device] = await this.ctx.db.select().from(devices).where(eq(devices.id, clip.deviceId));
      if (device) {
        await this.ctx.pipeline.cloudVerdict(device, {
          clipId: clip.id,
          t: clip.t,
          score: v.score,
          state: v.state,
          fault: v.fault,
          version: v.version ?? ensemble.version,
          explanation: v.explanation,
          edgeScore: clip.edgeScore,
        });
      }
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      await finish(attempts >= MAX_ATTEMPTS ? 'failed' : 'queued', message, attempts);
      this.ctx.log.error('re-scoring failed', { clipId: claimed.clipId, attempts, error: message });
    }
    return true;
  }
}
