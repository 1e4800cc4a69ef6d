import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { dataLoss, deviceBoots, deviceMessages, devices, verdictRollups, verdictWindows } from '../db/schema.ts';
import type { VerdictBatch } from '../protocol/schemas.ts';

export interface DeviceRow {
  id: string;
  orgId: string;
  machineId: string;
}

export interface LossRange {
  bootId: string;
  fromSeq: number;
  toSeq: number;
}

export interface SeqResult {
  duplicate: boolean;
  clipId: string | null;
  /** Newly detected gaps (empty for duplicates). */
  gaps: LossRange[];
}

/** Rank used by roll-ups so the worst state in a bucket survives aggregation. */
export const STATE_RANK = { learning: 0, normal: 1, watch: 2, alarm: 3 } as const;
export const RANK_STATE = ['learning', 'normal', 'watch', 'alarm'] as const;

/** Device clocks more than this far from the server's (by `sentAt`) are corrected. */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Claims (device, boot, seq) and updates gap bookkeeping, inside the caller's transaction. A second
 * claim of the same key reports `duplicate` and changes nothing.
 */
export async function claimSeq(
  tx: Tx,
  device: DeviceRow,
  bootId: string,
  seq: number,
  kind: 'verdicts' | 'clip' | 'legacy',
  now: number,
  clipId: string | null = null,
  trackGaps = true,
): Promise<SeqResult> {
  const inserted = await tx
    .insert(deviceMessages)
    .values({ deviceId: device.id, bootId, seq, kind, clipId, receivedAt: now })
    .onConflictDoNothing()
    .returning({ seq: deviceMessages.seq });
  if (inserted.length === 0) {
    const [prev] = await tx
      .select({ clipId: deviceMessages.clipId })
      .from(deviceMessages)
      .where(and(eq(deviceMessages.deviceId, device.id), eq(deviceMessages.bootId, bootId), eq(deviceMessages.seq, seq)));
    return { duplicate: true, clipId: prev?.clipId ?? null, gaps: [] };
  }
  const gaps: LossRange[] = [];
  if (!trackGaps) return { duplicate: false, clipId, gaps };
  const [boot] = await tx
    .select()
    .from(deviceBoots)
    .where(and(eq(deviceBoots.deviceId, device.id), eq(deviceBoots.bootId, bootId)));
  const prevMax = boot ? boot.maxSeq : 0;
  if (!boot) await tx.insert(deviceBoots).values({ deviceId: device.id, bootId, maxSeq: seq, firstSeenAt: now });
  if (seq > prevMax + 1) gaps.push({ bootId, fromSeq: prevMax + 1, toSeq: seq - 1 });
  if (seq > prevMax && boot) {
    await tx
      .update(deviceBoots)
      .set({ maxSeq: seq })
      .where(and(eq(deviceBoots.deviceId, device.id), eq(deviceBoots.bootId, bootId)));
  }
  if (seq < prevMax) await fillGap(tx, device.id, bootId, seq);
  for (const g of gaps) await tx.insert(dataLoss).values({ orgId: device.orgId, deviceId: device.id, ...g, detectedAt: now });
  return { duplicate: false, clipId, gaps };
}

/**
 * A heartbeat says the outbox is empty and the last seq of this boot was `lastSeq`: anything above
 * the highest seq we stored was dropped on the device (e.g. outbox overflow). Records it once.
 */
export async function recordTailLoss(
  tx: Tx,
  device: DeviceRow,
  bootId: string,
  lastSeq: number,
  now: number,
): Promise<LossRange[]> {
  const [boot] = await tx
    .select()
    .from(deviceBoots)
    .where(and(eq(deviceBoots.deviceId, device.id), eq(deviceBoots.bootId, bootId)));
  const prevMax = boot?.maxSeq ?? 0;
  if (lastSeq <= prevMax) return [];
  const gap = { bootId, fromSeq: prevMax + 1, toSeq: lastSeq };
  if (boot) {
    await tx
      .update(deviceBoots)
      .set({ maxSeq: lastSeq })
      .where(and(eq(deviceBoots.deviceId, device.id), eq(deviceBoots.bootId, bootId)));
  } else {
    await tx.insert(deviceBoots).values({ deviceId: device.id, bootId, maxSeq: lastSeq, firstSeenAt: now });
  }
  await tx.insert(dataLoss).values({ orgId: device.orgId, deviceId: device.id, ...gap, detectedAt: now });
  return [gap];
}

/** A late message arrived: take its seq out of the loss range that held it. */
async function fillGap(tx: Tx, deviceId: string, bootId: string, seq: number): Promise<void> {
  const [range] = await tx
    .select()
    .from(dataLoss)
    .where(
      and(eq(dataLoss.deviceId, deviceId), eq(dataLoss.bootId, bootId), lte(dataLoss.fromSeq, seq), gte(dataLoss.toSeq, seq)),
    );
  if (!range) return;
  await tx.delete(dataLoss).where(eq(dataLoss.id, range.id));
  const { id: _id, ...rest } = range;
  if (range.fromSeq < seq) await tx.insert(dataLoss).values({ ...rest, toSeq: seq - 1 });
  if (range.toSeq > seq) await tx.insert(dataLoss).values({ ...rest, fromSeq: seq + 1 });
}

/** Window times in server time: shifts a batch whose `sentAt` shows the device clock is off. */
export function clockCorrection(batch: Pick<VerdictBatch, 'sentAt'>, now: number): number {
  if (batch.sentAt === undefined) return 0;
  const skew = now - batch.sentAt;
  return Math.abs(skew) > MAX_CLOCK_SKEW_MS ? skew : 0;
}

export type StoredWindow = VerdictBatch['windows'][number];

/** Stores the windows and folds them into the minute and hour roll-ups. */
export async function storeWindows(tx: Tx, device: DeviceRow, batch: VerdictBatch, windows: StoredWindow[]): Promise<void> {
  await tx.insert(verdictWindows).values(
    windows.map((w) => ({
      orgId: device.orgId,
      deviceId: device.id,
      machineId: device.machineId,
      t: w.t,
      score: w.score,
      state: w.state,
      levelDb: w.levelDb,
      bootId: batch.bootId,
      seq: batch.seq,
    })),
  );
  const buckets = new Map<
    string,
    { res: 'minute' | 'hour'; start: number; n: number; sum: number; max: number; worst: number }
  >();
  for (const w of windows) {
    for (const [res, ms] of [
      ['minute', 60_000],
      ['hour', 3_600_000],
    ] as const) {
      const start = Math.floor(w.t / ms) * ms;
      const key = `${res}:${start}`;
      const b = buckets.get(key) ?? { res, start, n: 0, sum: 0, max: Number.NEGATIVE_INFINITY, worst: 0 };
      b.n += 1;
      b.sum += w.score;
      b.max = Math.max(b.max, w.score);
      b.worst = Math.max(b.worst, STATE_RANK[w.state]);
      buckets.set(key, b);
    }
  }
  for (const b of buckets.values()) {
    await tx
      .insert(verdictRollups)
      .values({ machineId: device.machineId, orgId: device.orgId, ...b })
      .onConflictDoUpdate({
        target: [verdictRollups.machineId, verdictRollups.res, verdictRollups.start],
        set: {
          n: sql`${verdictRollups.n} + excluded.n`,
          sum: sql`${verdictRollups.sum} + excluded.sum`,
          max: sql`max(${verdictRollups.max}, excluded.max)`,
          worst: sql`max(${verdictRollups.worst}, excluded.worst)`,
        },
      });
  }
  const last = windows.reduce((a, b) => (b.t >= a.t ? b : a));
  await tx
    .update(devices)
    .set({ lastScore: last.score, lastState: last.state, lastWindowAt: last.t })
    .where(and(eq(devices.id, device.id), sql`coalesce(${devices.lastWindowAt}, 0) <= ${last.t}`));
}
