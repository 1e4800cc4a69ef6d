/**
 * The alarm rule engine: pure decisions over an `AlarmStore`. Every entry point returns the
 * transitions it made so the caller can publish SSE and hand them to the notification dispatcher.
 * Permission checks (who may ack/assign/clear) are the caller's job.
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type Alarm,
  type AlarmDetail,
  type AlarmNote,
  AlarmNotFoundError,
  type AlarmPatch,
  AlarmStateError,
  type AlarmStore,
  type AlarmType,
  type CloudVerdictEvent,
  type DataLossEvent,
  type DeviceStatusEvent,
  DuplicateActiveAlarmError,
  type EdgeWindowEvent,
  SEVERITIES,
  type Severity,
  type Streak,
  type Transition,
  type TransitionKind,
} from './types.ts';

export interface RuleConfig {
  /** Consecutive over-threshold edge windows (score ≥ threshold or device state 'alarm') that open an alarm. */
  openAfterWindows: number;
  /** Edge windows must stay 'normal' this long before an edge alarm clears itself. */
  clearAfterNormalMs: number;
  /** After a clear, a new trigger within this time re-activates the same alarm without notifying. */
  cooldownMs: number;
  /** score / threshold at or above which a window counts as "far over". */
  criticalRatio: number;
  /** An alarm becomes critical once `openAfterWindows` consecutive windows are far over, or after this long over. */
  criticalAfterMs: number;
  /** An offline alarm becomes critical once the device has been silent this long. */
  offlineCriticalAfterMs: number;
  /** A data-loss alarm is 'info' until this many messages are lost, then 'warning'. */
  dataLossWarningCount: number;
  /** A data-loss alarm clears itself once data has flowed without new gaps for this long. */
  dataLossClearAfterMs: number;
}

export const DEFAULT_RULES: RuleConfig = {
  openAfterWindows: 3,
  clearAfterNormalMs: 10 * 60_000,
  cooldownMs: 30 * 60_000,
  criticalRatio: 1.5,
  criticalAfterMs: 30 * 60_000,
  offlineCriticalAfterMs: 6 * 3_600_000,
  dataLossWarningCount: 10,
  dataLossClearAfterMs: 60 * 60_000,
};

const TITLES: Record<AlarmType, string> = {
  'edge-anomaly': 'Abnormal compressor sound',
  'cloud-anomaly': 'Cloud analysis found an anomaly',
  offline: 'Device offline',
  'data-loss': 'Data lost in transit',
};

const MAX_NOTE_CHARS = 4000;
const MAX_LOST_RANGES = 20;

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank(a) >= severityRank(b) ? a : b);

export function validateRuleConfig(c: RuleConfig): RuleConfig {
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new RangeError(`rule config ${k} must be a number ≥ 0, got ${v}`);
  }
  if (!Number.isInteger(c.openAfterWindows) || c.openAfterWindows < 1) {
    throw new RangeError(`rule config openAfterWindows must be an integer ≥ 1, got ${c.openAfterWindows}`);
  }
  if (c.criticalRatio < 1) throw new RangeError(`rule config criticalRatio must be ≥ 1, got ${c.criticalRatio}`);
  return c;
}

export interface AlarmEngineOptions {
  rules?: Partial<RuleConfig>;
  newId?: () => string;
}

export class AlarmEngine {
  readonly rules: RuleConfig;
  private readonly newId: () => string;
  /** Serialises work per device inside this process so streak read-modify-writes don't interleave. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: AlarmStore,
    opts: AlarmEngineOptions = {},
  ) {
    this.rules = validateRuleConfig({ ...DEFAULT_RULES, ...opts.rules });
    this.newId = opts.newId ?? randomUUID;
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  // ---------------------------------------------------------------- edge windows

  /**
   * Feed the windows of a verdict batch in time order. Each device's windows run against state read
   * once per batch; the store sees the transitions plus one final write of the device's state, not
   * three reads per window.
   */
  onEdgeWindows(events: EdgeWindowEvent[]): Promise<Transition[]> {
    for (const e of events) checkWindow(e);
    const byDevice = new Map<string, EdgeWindowEvent[]>();
    for (const e of events) {
      const list = byDevice.get(e.deviceId);
      if (list) list.push(e);
      else byDevice.set(e.deviceId, [e]);
    }
    return (async () => {
      const out: Transition[] = [];
      for (const [deviceId, list] of byDevice) out.push(...(await this.serial(deviceId, () => this.edgeBatch(deviceId, list))));
      return out;
    })();
  }

  onEdgeWindow(e: EdgeWindowEvent): Promise<Transition[]> {
    return this.onEdgeWindows([e]);
  }

  private async edgeBatch(deviceId: string, events: EdgeWindowEvent[]): Promise<Transition[]> {
    const st: EdgeState = {
      loss: await this.store.findActive(deviceId, 'data-loss'),
      active: await this.store.findActive(deviceId, 'edge-anomaly'),
      activeDirty: false,
      streak: null,
      streakStored: false,
      streakDirty: false,
    };
    if (!st.active) {
      st.streak = await this.store.getStreak(deviceId, 'edge-anomaly');
      st.streakStored = st.streak !== null;
    }
    const out: Transition[] = [];
    for (const e of events) out.push(...(await this.edgeWindow(st, e)));
    // Flush what changed without a transition.
    if (st.active && st.activeDirty)
      await this.store.update(st.active.id, { detail: st.active.detail, lastEventAt: st.active.lastEventAt });
    if (st.streak && st.streakDirty) await this.store.putStreak(st.streak);
    else if (!st.streak && st.streakStored) await this.store.deleteStreak(deviceId, 'edge-anomaly');
    return out;
  }

  private async edgeWindow(st: EdgeState, e: EdgeWindowEvent): Promise<Transition[]> {
    const out: Transition[] = [];
    // Data flowing again without new gaps is what resolves a data-loss alarm.
    if (st.loss && e.t - st.loss.lastEventAt >= this.rules.dataLossClearAfterMs) {
      out.push(await this.clearAlarm(st.loss, e.t, null, 'auto', false));
      st.loss = null;
    }
    if (e.state === 'learning') return out;

    const over = e.state === 'alarm' || e.score >= e.threshold;
    const high = e.score >= this.rules.criticalRatio * e.threshold;

    if (st.active) {
      if (e.t < st.active.lastEventAt) return out; // stale (late replay of an older window)
      const t = await this.edgeWindowOnActive(st, e, over, high);
      if (t) out.push(t);
      return out;
    }

    if (!over) {
      if (st.streak) st.streak = null;
      return out;
    }
    if (st.streak && e.t < st.streak.lastAt) return out;
    const s = st.streak ?? {
      deviceId: e.deviceId,
      type: 'edge-anomaly' as const,
      count: 0,
      highCount: 0,
      firstAt: e.t,
      lastAt: e.t,
      maxScore: e.score,
    };
    s.count += 1;
    s.highCount = high ? s.highCount + 1 : 0;
    s.lastAt = e.t;
    s.maxScore = Math.max(s.maxScore, e.score);
    st.streak = s;
    st.streakDirty = true;
    if (s.count < this.rules.openAfterWindows) return out;

    st.streak = null;
    const severity: Severity =
      s.highCount >= this.rules.openAfterWindows || e.t - s.firstAt >= this.rules.criticalAfterMs ? 'critical' : 'warning';
    const t = await this.openOrReopen(e, 'edge-anomaly', severity, s.firstAt, {
      threshold: e.threshold,
      peakScore: s.maxScore,
      lastScore: e.score,
      windowsOver: s.count,
      overSince: s.firstAt,
      normalSince: null,
      highCount: s.highCount,
    });
    if (t) {
      out.push(t);
      st.active = t.alarm;
      st.activeDirty = false;
    } else {
      // Another instance opened it first: carry on against theirs.
      st.active = await this.store.findActive(e.deviceId, 'edge-anomaly');
    }
    return out;
  }

  /** Updates the active alarm in memory; only escalation and clearing write (as transitions). */
  private async edgeWindowOnActive(st: EdgeState, e: EdgeWindowEvent, over: boolean, high: boolean): Promise<Transition | null> {
    const active = st.active!;
    const d = active.detail;
    if (over) {
      const overSince = d.overSince ?? e.t;
      const highCount = high ? (d.highCount ?? 0) + 1 : 0;
      const detail: AlarmDetail = {
        ...d,
        lastScore: e.score,
        peakScore: Math.max(d.peakScore ?? e.score, e.score),
        windowsOver: (d.windowsOver ?? 0) + 1,
        overSince,
        normalSince: null,
        highCount,
      };
      const target: Severity =
        highCount >= this.rules.openAfterWindows || e.t - overSince >= this.rules.criticalAfterMs ? 'critical' : 'warning';
      if (severityRank(target) > severityRank(active.severity)) {
        const t = await this.transition(active, { severity: target, detail, lastEventAt: e.t }, 'escalated', e.t, null, true);
        st.active = t.alarm;
        st.activeDirty = false;
        return t;
      }
      st.active = { ...active, detail, lastEventAt: e.t };
      st.activeDirty = true;
      return null;
    }
    if (e.state !== 'normal') {
      // 'watch' neither confirms nor resolves: it holds the alarm and restarts the clear timer.
      st.active = { ...active, detail: { ...d, normalSince: null, highCount: 0, overSince: null }, lastEventAt: e.t };
      st.activeDirty = true;
      return null;
    }
    const normalSince = d.normalSince ?? e.t;
    if (e.t - normalSince >= this.rules.clearAfterNormalMs) {
      const t = await this.clearAlarm({ ...active, detail: { ...d, normalSince, lastScore: e.score } }, e.t, null, 'auto', true);
      st.active = null;
      st.activeDirty = false;
      return t;
    }
    st.active = { ...active, detail: { ...d, normalSince, highCount: 0, overSince: null, lastScore: e.score }, lastEventAt: e.t };
    st.activeDirty = true;
    return null;
  }

  // ---------------------------------------------------------------- cloud verdicts

  onCloudVerdict(e: CloudVerdictEvent): Promise<Transition[]> {
    checkTime(e.t, 'verdict t');
    if (!Number.isFinite(e.score) || e.score < 0) throw new RangeError(`cloud score must be ≥ 0, got ${e.score}`);
    return this.serial(e.deviceId, () => this.cloudVerdict(e));
  }

  private async cloudVerdict(e: CloudVerdictEvent): Promise<Transition[]> {
    const cloudActive = await this.store.findActive(e.deviceId, 'cloud-anomaly');
    if (e.state === 'normal') {
      return cloudActive ? [await this.clearAlarm(cloudActive, e.t, null, 'cloud-normal', true)] : [];
    }
    if (e.state !== 'anomalous') return [];

    const far = e.score >= this.rules.criticalRatio;
    const cloudFacts: AlarmDetail = { fault: e.fault, cloudScore: e.score, clipId: e.clipId };
    // The edge already alarmed: the cloud confirming it makes it critical, and names the likely fault.
    const edge = await this.store.findActive(e.deviceId, 'edge-anomaly');
    if (edge) {
      const detail = { ...edge.detail, ...cloudFacts };
      const lastEventAt = Math.max(edge.lastEventAt, e.t);
      if (edge.severity !== 'critical') {
        return [await this.transition(edge, { severity: 'critical', detail, lastEventAt }, 'escalated', e.t, null, true)];
      }
      return [await this.transition(edge, { detail, lastEventAt }, 'updated', e.t, null, false)];
    }
    if (cloudActive) {
      const detail = { ...cloudActive.detail, ...cloudFacts, peakScore: Math.max(cloudActive.detail.peakScore ?? 0, e.score) };
      const lastEventAt = Math.max(cloudActive.lastEventAt, e.t);
      if (far && cloudActive.severity !== 'critical') {
        return [await this.transition(cloudActive, { severity: 'critical', detail, lastEventAt }, 'escalated', e.t, null, true)];
      }
      return [await this.transition(cloudActive, { detail, lastEventAt }, 'updated', e.t, null, false)];
    }
    const t = await this.openOrReopen(e, 'cloud-anomaly', far ? 'critical' : 'warning', e.t, {
      ...cloudFacts,
      threshold: 1,
      peakScore: e.score,
      lastScore: e.score,
    });
    return t ? [t] : [];
  }

  // ---------------------------------------------------------------- device status

  onDeviceStatus(e: DeviceStatusEvent): Promise<Transition[]> {
    checkTime(e.t, 'status t');
    return this.serial(e.deviceId, () => this.deviceStatus(e));
  }

  private async deviceStatus(e: DeviceStatusEvent): Promise<Transition[]> {
    const active = await this.store.findActive(e.deviceId, 'offline');
    if (e.status === 'online') {
      return active ? [await this.clearAlarm(active, e.t, null, 'online', true)] : [];
    }
    const silentFor = e.lastSeenAt === null ? 0 : e.t - e.lastSeenAt;
    const severity: Severity = silentFor >= this.rules.offlineCriticalAfterMs ? 'critical' : 'warning';
    if (active) {
      if (severityRank(severity) > severityRank(active.severity)) {
        return [
          await this.transition(
            active,
            { severity, lastEventAt: Math.max(active.lastEventAt, e.t) },
            'escalated',
            e.t,
            null,
            true,
          ),
        ];
      }
      return [];
    }
    const t = await this.openOrReopen(e, 'offline', severity, e.t, { lastSeenAt: e.lastSeenAt ?? undefined });
    return t ? [t] : [];
  }

  // ---------------------------------------------------------------- data loss

  onDataLoss(e: DataLossEvent): Promise<Transition[]> {
    checkTime(e.t, 'data-loss t');
    if (!Number.isInteger(e.fromSeq) || !Number.isInteger(e.toSeq) || e.fromSeq < 1 || e.toSeq < e.fromSeq) {
      throw new RangeError(`data-loss range must be integers with 1 ≤ fromSeq ≤ toSeq, got ${e.fromSeq}..${e.toSeq}`);
    }
    return this.serial(e.deviceId, () => this.dataLoss(e));
  }

  private async dataLoss(e: DataLossEvent): Promise<Transition[]> {
    const missing = e.toSeq - e.fromSeq + 1;
    const range = { bootId: e.bootId, fromSeq: e.fromSeq, toSeq: e.toSeq };
    const active = await this.store.findActive(e.deviceId, 'data-loss');
    if (active) {
      const lostCount = (active.detail.lostCount ?? 0) + missing;
      const detail: AlarmDetail = {
        ...active.detail,
        lostCount,
        lostRanges: [...(active.detail.lostRanges ?? []), range].slice(-MAX_LOST_RANGES),
      };
      const severity = lostCount >= this.rules.dataLossWarningCount ? 'warning' : 'info';
      const lastEventAt = Math.max(active.lastEventAt, e.t);
      if (severityRank(severity) > severityRank(active.severity)) {
        return [await this.transition(active, { severity, detail, lastEventAt }, 'escalated', e.t, null, true)];
      }
      return [await this.transition(active, { detail, lastEventAt }, 'updated', e.t, null, false)];
    }
    const severity = missing >= this.rules.dataLossWarningCount ? 'warning' : 'info';
    const t = await this.openOrReopen(e, 'data-loss', severity, e.t, { lostCount: missing, lostRanges: [range] });
    return t ? [t] : [];
  }

  // ---------------------------------------------------------------- lifecycle ops

  /** Idempotent: acknowledging an acknowledged alarm returns null. */
  acknowledge(alarmId: string, actor: Actor, at: number): Promise<Transition | null> {
    return this.withAlarm(alarmId, async (a) => {
      if (a.acknowledged) return null;
      return this.transition(a, { acknowledged: true, ackBy: actor.userId, ackAt: at }, 'acknowledged', at, actor.userId, false);
    });
  }

  /** `assigneeId` null unassigns. Notifies the new assignee unless they assigned themselves. */
  assign(alarmId: string, assigneeId: string | null, actor: Actor, at: number): Promise<Transition | null> {
    return this.withAlarm(alarmId, async (a) => {
      if (a.assigneeId === assigneeId) return null;
      const notify = assigneeId !== null && assigneeId !== actor.userId;
      return this.transition(a, { assigneeId }, 'assigned', at, actor.userId, notify, {
        assigneeId,
        previousAssigneeId: a.assigneeId,
      });
    });
  }

  addNote(alarmId: string, actor: Actor, text: string, at: number): Promise<{ note: AlarmNote; transition: Transition }> {
    const trimmed = text.trim();
    if (!trimmed) throw new AlarmStateError('a note needs some text');
    if (trimmed.length > MAX_NOTE_CHARS) throw new AlarmStateError(`a note is at most ${MAX_NOTE_CHARS} characters`);
    return this.withAlarm(alarmId, async (a) => {
      const note = await this.store.addNote({ id: this.newId(), alarmId, authorId: actor.userId, text: trimmed, createdAt: at });
      const transition = await this.transition(a, {}, 'noted', at, actor.userId, false, { noteId: note.id });
      return { note, transition };
    });
  }

  /** Manual clear. Throws `AlarmStateError` if already cleared. */
  clear(alarmId: string, actor: Actor, at: number): Promise<Transition> {
    return this.withAlarm(alarmId, async (a) => {
      if (a.status === 'cleared') throw new AlarmStateError(`alarm ${alarmId} is already cleared`);
      if (a.type === 'edge-anomaly') await this.store.deleteStreak(a.deviceId, a.type);
      return this.clearAlarm(a, at, actor.userId, 'manual', false);
    });
  }

  // ---------------------------------------------------------------- internals

  /** Runs `fn` on a fresh read of the alarm, inside its device's queue. */
  private async withAlarm<T>(id: string, fn: (a: Alarm) => Promise<T>): Promise<T> {
    const first = await this.store.get(id);
    if (!first) throw new AlarmNotFoundError(id);
    return this.serial(first.deviceId, async () => fn((await this.store.get(id)) ?? first));
  }

  private async clearAlarm(
    a: Alarm,
    at: number,
    actorId: string | null,
    reason: NonNullable<AlarmDetail['clearReason']>,
    notify: boolean,
  ): Promise<Transition> {
    return this.transition(
      a,
      {
        status: 'cleared',
        clearedAt: at,
        clearedBy: actorId,
        cooldownUntil: at + this.rules.cooldownMs,
        lastEventAt: Math.max(a.lastEventAt, at),
        detail: { ...a.detail, clearReason: reason, normalSince: null, overSince: null, highCount: 0 },
      },
      'cleared',
      at,
      actorId,
      notify,
      { reason },
    );
  }

  /**
   * Opens a new alarm, or, within the cooldown of the last cleared one, re-activates that one silently
   * (it only notifies if it comes back more severe than it was).
   */
  private async openOrReopen(
    e: { orgId: string; deviceId: string; machineId: string | null; t: number },
    type: AlarmType,
    severity: Severity,
    openedAt: number,
    detail: AlarmDetail,
  ): Promise<Transition | null> {
    const latest = await this.store.findLatest(e.deviceId, type);
    if (latest && latest.status === 'cleared' && latest.cooldownUntil !== null && e.t < latest.cooldownUntil) {
      const sev = maxSeverity(severity, latest.severity);
      try {
        return await this.transition(
          latest,
          {
            status: 'active',
            severity: sev,
            clearedAt: null,
            clearedBy: null,
            cooldownUntil: null,
            lastEventAt: Math.max(latest.lastEventAt, e.t),
            detail: {
              ...latest.detail,
              ...detail,
              clearReason: undefined,
              peakScore: Math.max(latest.detail.peakScore ?? 0, detail.peakScore ?? 0),
            },
          },
          'reopened',
          e.t,
          null,
          severityRank(sev) > severityRank(latest.severity),
        );
      } catch (err) {
        if (err instanceof DuplicateActiveAlarmError) return null; // another instance got there first
        throw err;
      }
    }
    const alarm: Alarm = {
      id: this.newId(),
      orgId: e.orgId,
      deviceId: e.deviceId,
      machineId: e.machineId,
      type,
      severity,
      status: 'active',
      acknowledged: false,
      ackBy: null,
      ackAt: null,
      assigneeId: null,
      openedAt,
      clearedAt: null,
      clearedBy: null,
      lastEventAt: e.t,
      cooldownUntil: null,
      title: TITLES[type],
      detail,
    };
    try {
      await this.store.insert(alarm);
    } catch (err) {
      if (err instanceof DuplicateActiveAlarmError) return null;
      throw err;
    }
    const event = await this.store.addEvent({
      id: this.newId(),
      alarmId: alarm.id,
      kind: 'opened',
      at: e.t,
      actorId: null,
      severity,
      data: eventData(detail),
    });
    return { kind: 'opened', alarm, previous: null, event, notify: true };
  }

  private async transition(
    a: Alarm,
    patch: AlarmPatch,
    kind: TransitionKind,
    at: number,
    actorId: string | null,
    notify: boolean,
    extra: Record<string, unknown> = {},
  ): Promise<Transition> {
    const alarm = Object.keys(patch).length ? await this.store.update(a.id, patch) : a;
    const event = await this.store.addEvent({
      id: this.newId(),
      alarmId: a.id,
      kind,
      at,
      actorId,
      severity: alarm.severity,
      data: { ...eventData(alarm.detail), ...extra },
    });
    return { kind, alarm, previous: a, event, notify };
  }
}

/** The facts worth keeping in the audit trail (not the engine's timers). */
function eventData(d: AlarmDetail): Record<string, unknown> {
  const { overSince: _o, normalSince: _n, highCount: _h, lostRanges: _r, ...rest } = d;
  return JSON.parse(JSON.stringify(rest));
}

/** Engine state for one device while a batch runs. */
interface EdgeState {
  loss: Alarm | null;
  active: Alarm | null;
  /** `active` has changes not yet written. */
  activeDirty: boolean;
  streak: Streak | null;
  /** A streak row exists in the store (so dropping the streak must delete it). */
  streakStored: boolean;
  streakDirty: boolean;
}

function checkWindow(e: EdgeWindowEvent): void {
  checkTime(e.t, 'window t');
  if (!Number.isFinite(e.score)) throw new RangeError(`window score must be finite, got ${e.score}`);
  if (!Number.isFinite(e.threshold) || e.threshold <= 0) throw new RangeError(`threshold must be > 0, got ${e.threshold}`);
}

function checkTime(t: number, what: string): void {
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`${what} must be ms since the epoch, got ${t}`);
}
