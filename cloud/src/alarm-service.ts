import { AlarmEngine, type RuleConfig } from './alarms/rules.ts';
import type { Alarm, Transition } from './alarms/types.ts';
import type { AppContext } from './context.ts';
import type { AlarmHooks, DeviceRef } from './pipeline.ts';
import { DrizzleAlarmStore } from './storage/alarm-store.ts';

/** Where transitions go after SSE: the notification dispatcher (notify/dispatcher.ts). */
export interface TransitionSink {
  handle(transition: Transition): Promise<unknown>;
}

/** The alarm shape sent to browsers (SSE `alarm` events and /api/alarms). */
export function alarmView(a: Alarm) {
  return a;
}

/**
 * Wires the alarm engine (alarms/rules.ts) to the database and the outside world: every
 * transition is published as an SSE `alarm` event and handed to the notification sink.
 */
export class AlarmService implements AlarmHooks {
  readonly engine: AlarmEngine;
  sink: TransitionSink | null = null;

  constructor(
    private ctx: AppContext,
    rules: Partial<RuleConfig> = {},
  ) {
    this.engine = new AlarmEngine(new DrizzleAlarmStore(ctx.db), { rules });
  }

  async emit(transitions: (Transition | null)[]): Promise<void> {
    for (const t of transitions) {
      if (!t) continue;
      await this.ctx.bus.publish(t.alarm.orgId, 'alarm', { kind: t.kind, notify: t.notify, alarm: alarmView(t.alarm) });
      if (this.sink) {
        await this.sink
          .handle(t)
          .catch((err) => this.ctx.log.error('notification dispatch failed', { alarmId: t.alarm.id, error: String(err) }));
      }
    }
  }

  async edgeWindows(
    device: DeviceRef,
    windows: { t: number; score: number; state: 'learning' | 'normal' | 'watch' | 'alarm' }[],
    threshold: number,
  ) {
    const sorted = [...windows].sort((a, b) => a.t - b.t);
    const ts = await this.engine.onEdgeWindows(
      sorted.map((w) => ({
        orgId: device.orgId,
        deviceId: device.id,
        machineId: device.machineId,
        t: w.t,
        score: w.score,
        state: w.state,
        threshold,
      })),
    );
    await this.emit(ts);
  }

  async dataLoss(device: DeviceRef, gaps: { bootId: string; fromSeq: number; toSeq: number }[], t: number) {
    for (const g of gaps) {
      await this.emit(
        await this.engine.onDataLoss({ orgId: device.orgId, deviceId: device.id, machineId: device.machineId, t, ...g }),
      );
    }
  }

  async deviceStatus(device: DeviceRef, status: 'online' | 'offline', lastSeenAt: number | null, t: number) {
    await this.emit(
      await this.engine.onDeviceStatus({
        orgId: device.orgId,
        deviceId: device.id,
        machineId: device.machineId,
        t,
        status,
        lastSeenAt,
      }),
    );
  }

  async cloudVerdict(device: DeviceRef, v: Parameters<AlarmHooks['cloudVerdict']>[1]) {
    await this.emit(
      await this.engine.onCloudVerdict({
        orgId: device.orgId,
        deviceId: device.id,
        machineId: device.machineId,
        t: v.t,
        clipId: v.clipId,
        score: v.score,
        state: v.state,
        fault: v.fault,
        version: v.version,
      }),
    );
  }
}
