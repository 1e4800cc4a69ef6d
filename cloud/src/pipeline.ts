import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { AppContext } from './context.ts';
import { devices } from './db/schema.ts';
import type { LossRange, StoredWindow } from './device/ingest.ts';
import type { RealtimeEvent } from './realtime/broadcaster.ts';

export interface DeviceRef {
  id: string;
  orgId: string;
  machineId: string;
  name?: string;
}

/** What the alarm engine needs to hear about; implemented by `alarms/wiring.ts` when present. */
export interface AlarmHooks {
  edgeWindows(device: DeviceRef, windows: StoredWindow[], threshold: number): Promise<void>;
  dataLoss(device: DeviceRef, gaps: LossRange[], t: number): Promise<void>;
  deviceStatus(device: DeviceRef, status: 'online' | 'offline', lastSeenAt: number | null, t: number): Promise<void>;
  cloudVerdict(
    device: DeviceRef,
    v: {
      clipId: string;
      t: number;
      score: number;
      state: 'normal' | 'borderline' | 'anomalous';
      fault: { type: string; confidence: number } | null;
      version: string;
    },
  ): Promise<void>;
}

/**
 * What happens after data is committed: realtime events and the alarm rules. Runs after the ack's
 * transaction, so a failure here never loses acknowledged data; it is logged.
 */
export class Pipeline {
  alarms: AlarmHooks | null = null;
  constructor(private ctx: AppContext) {}

  private guard(what: string, p: Promise<unknown>): Promise<void> {
    return this.ctx.track(
      p.then(
        () => undefined,
        (err) => this.ctx.log.error(`${what} failed`, { error: String((err as Error)?.stack ?? err) }),
      ),
    );
  }

  /** The SSE `verdict` payload; the ingest transaction records it (see Broadcaster.record). */
  static verdictEvent(device: DeviceRef, windows: StoredWindow[], threshold: number) {
    const last = windows.reduce((a, b) => (b.t >= a.t ? b : a));
    return { deviceId: device.id, machineId: device.machineId, windows, last, threshold };
  }

  /** After the commit: announce the recorded verdict event (or publish it) and run the alarm rules. */
  verdicts(device: DeviceRef, windows: StoredWindow[], threshold: number, recorded?: RealtimeEvent): Promise<void> {
    return this.guard(
      'verdict pipeline',
      (async () => {
        if (recorded) this.ctx.bus.announce(recorded);
        else await this.ctx.bus.publish(device.orgId, 'verdict', Pipeline.verdictEvent(device, windows, threshold));
        await this.alarms?.edgeWindows(device, windows, threshold);
      })(),
    );
  }

  dataLoss(device: DeviceRef, gaps: LossRange[]): Promise<void> {
    if (gaps.length === 0) return Promise.resolve();
    return this.guard('data-loss pipeline', this.alarms?.dataLoss(device, gaps, this.ctx.now()) ?? Promise.resolve());
  }

  /** A message arrived: the device is online (emit once per transition). */
  seen(device: DeviceRef & { online: boolean }): Promise<void> {
    if (device.online) return Promise.resolve();
    return this.guard(
      'online transition',
      (async () => {
        const now = this.ctx.now();
        const changed = await this.ctx.db
          .update(devices)
          .set({ online: true })
          .where(and(eq(devices.id, device.id), eq(devices.online, false)))
          .returning({ id: devices.id });
        if (changed.length === 0) return;
        await this.ctx.bus.publish(device.orgId, 'device-status', {
          deviceId: device.id,
          machineId: device.machineId,
          status: 'online',
          t: now,
        });
        await this.alarms?.deviceStatus(device, 'online', now, now);
      })(),
    );
  }

  /** Marks devices silent for longer than OFFLINE_AFTER_S as offline; returns how many changed. */
  async sweepOffline(): Promise<number> {
    const now = this.ctx.now();
    const cutoff = now - this.ctx.config.OFFLINE_AFTER_S * 1000;
    const gone = await this.ctx.db
      .update(devices)
      .set({ online: false })
      .where(
        and(eq(devices.online, true), eq(devices.status, 'active'), isNotNull(devices.lastSeen), lt(devices.lastSeen, cutoff)),
      )
      .returning();
    for (const d of gone) {
      await this.guard(
        'offline transition',
        (async () => {
          await this.ctx.bus.publish(d.orgId, 'device-status', {
            deviceId: d.id,
            machineId: d.machineId,
            status: 'offline',
            lastSeen: d.lastSeen,
            t: now,
          });
          await this.alarms?.deviceStatus(d, 'offline', d.lastSeen, now);
        })(),
      );
    }
    return gone.length;
  }

  cloudVerdict(device: DeviceRef, v: Parameters<AlarmHooks['cloudVerdict']>[1] & Record<string, unknown>): Promise<void> {
    return this.guard(
      'cloud-verdict pipeline',
      (async () => {
        await this.ctx.bus.publish(device.orgId, 'cloud-verdict', { deviceId: device.id, machineId: device.machineId, ...v });
        await this.alarms?.cloudVerdict(device, v);
      })(),
    );
  }
}
