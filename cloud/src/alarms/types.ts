/**
 * Alarm contract shared by the rule engine (`rules.ts`), the notification dispatcher
 * (`../notify/dispatcher.ts`) and the persistence behind `AlarmStore` (in-memory here, drizzle in the
 * cloud service). All times are milliseconds since the Unix epoch (UTC).
 */

export const ALARM_TYPES = ['edge-anomaly', 'cloud-anomaly', 'offline', 'data-loss'] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

/** Ordered: a later entry is more severe (escalation only ever moves right). */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AlarmStatus = 'active' | 'cleared';

export interface FaultGuess {
  type: string;
  confidence: number;
}

/**
 * Structured facts behind an alarm, stored as JSON. Messages are rendered from these in the
 * recipient's language, so nothing here is prose.
 */
export interface AlarmDetail {
  /** Edge/cloud threshold in force when the alarm opened (score units of the source). */
  threshold?: number;
  /** Highest score seen while active (edge score for edge alarms, calibrated score for cloud ones). */
  peakScore?: number;
  /** Most recent score that kept the alarm active. */
  lastScore?: number;
  /** Consecutive over-threshold windows that opened the alarm. */
  windowsOver?: number;
  /** Likely fault from the cloud ensemble (set by a cloud verdict, on either alarm type). */
  fault?: FaultGuess | null;
  cloudScore?: number;
  clipId?: string;
  /** offline: when the device was last heard from. */
  lastSeenAt?: number;
  /** data-loss: total messages recorded as lost while this alarm was active. */
  lostCount?: number;
  lostRanges?: { bootId: string; fromSeq: number; toSeq: number }[];
  /** Engine bookkeeping while active: start of the current over-threshold run, start of the current
   * normal run (auto-clear timer), consecutive windows ≥ criticalRatio × threshold. */
  overSince?: number | null;
  normalSince?: number | null;
  highCount?: number;
  /** Why it cleared: 'auto' (condition went away), 'manual' (someone cleared it), 'online', 'cloud-normal'. */
  clearReason?: 'auto' | 'manual' | 'online' | 'cloud-normal';
}

export interface Alarm {
  id: string;
  orgId: string;
  deviceId: string;
  machineId: string | null;
  type: AlarmType;
  severity: Severity;
  status: AlarmStatus;
  acknowledged: boolean;
  ackBy: string | null;
  ackAt: number | null;
  assigneeId: string | null;
  openedAt: number;
  clearedAt: number | null;
  clearedBy: string | null;
  /** Last time an event touched this alarm (kept current while the condition persists). */
  lastEventAt: number;
  /** Set on clear: until then a new trigger re-activates this alarm silently instead of opening a new one. */
  cooldownUntil: number | null;
  /** Short English summary for logs and fallbacks; user-facing text comes from `../notify/messages.ts`. */
  title: string;
  detail: AlarmDetail;
}

/** Fields the engine changes after insert. `id`, `orgId`, `deviceId`, `type`, `openedAt` never change. */
export type AlarmPatch = Partial<Omit<Alarm, 'id' | 'orgId' | 'deviceId' | 'type' | 'openedAt'>>;

export interface AlarmNote {
  id: string;
  alarmId: string;
  authorId: string;
  text: string;
  createdAt: number;
}

export const TRANSITION_KINDS = [
  'opened',
  'reopened',
  'escalated',
  'updated',
  'cleared',
  'acknowledged',
  'assigned',
  'noted',
] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** Audit trail of an alarm; one row per transition. Its `id` doubles as the notification dedupe key. */
export interface AlarmEvent {
  id: string;
  alarmId: string;
  kind: TransitionKind;
  at: number;
  actorId: string | null;
  severity: Severity;
  data: Record<string, unknown>;
}

/**
 * What the engine returns for every change, so the caller can publish SSE (`alarm` event) and hand it
 * to the dispatcher. `notify` is the engine's decision that people should be told (cooldowns and
 * silent re-activations say false).
 */
export interface Transition {
  kind: TransitionKind;
  alarm: Alarm;
  previous: Alarm | null;
  event: AlarmEvent;
  notify: boolean;
}

/** Counts consecutive over-threshold edge windows before an alarm opens (hysteresis on the way up). */
export interface Streak {
  deviceId: string;
  type: AlarmType;
  count: number;
  /** Consecutive windows at the end of the streak with score ≥ criticalRatio × threshold. */
  highCount: number;
  firstAt: number;
  lastAt: number;
  maxScore: number;
}

export interface AlarmQuery {
  orgId: string;
  /** 'open' = active OR not yet acknowledged (what needs a human); 'all' = everything. Default 'all'. */
  filter?: 'open' | 'all';
  deviceId?: string;
  machineId?: string;
  type?: AlarmType;
  /** Only alarms with lastEventAt < before (paging). */
  before?: number;
  /** Default 100. */
  limit?: number;
}

/**
 * Persistence behind the engine. Implementations must pass `alarmStoreSuite` (`store-suite.ts`).
 * Reads return copies: mutating a returned object must not change the store.
 */
export interface AlarmStore {
  get(id: string): Promise<Alarm | null>;
  /** The one `status === 'active'` alarm for (deviceId, type), if any. */
  findActive(deviceId: string, type: AlarmType): Promise<Alarm | null>;
  /** The most recently opened alarm for (deviceId, type), whatever its status. */
  findLatest(deviceId: string, type: AlarmType): Promise<Alarm | null>;
  /** Throws `DuplicateActiveAlarmError` if an active alarm already exists for (deviceId, type). */
  insert(alarm: Alarm): Promise<Alarm>;
  /**
   * Throws `AlarmNotFoundError` for an unknown id and `DuplicateActiveAlarmError` if the patch would
   * make a second active alarm for (deviceId, type).
   */
  update(id: string, patch: AlarmPatch): Promise<Alarm>;
  /** Newest first by lastEventAt (ties: id descending). */
  list(query: AlarmQuery): Promise<Alarm[]>;
  addNote(note: AlarmNote): Promise<AlarmNote>;
  /** Oldest first. */
  notes(alarmId: string): Promise<AlarmNote[]>;
  addEvent(event: AlarmEvent): Promise<AlarmEvent>;
  /** Oldest first. */
  events(alarmId: string): Promise<AlarmEvent[]>;
  getStreak(deviceId: string, type: AlarmType): Promise<Streak | null>;
  putStreak(streak: Streak): Promise<void>;
  deleteStreak(deviceId: string, type: AlarmType): Promise<void>;
}

export class DuplicateActiveAlarmError extends Error {
  constructor(
    readonly deviceId: string,
    readonly type: AlarmType,
  ) {
    super(`an active ${type} alarm already exists for device ${deviceId}`);
    this.name = 'DuplicateActiveAlarmError';
  }
}

export class AlarmNotFoundError extends Error {
  constructor(readonly alarmId: string) {
    super(`alarm ${alarmId} not found`);
    this.name = 'AlarmNotFoundError';
  }
}

/** A lifecycle op that makes no sense in the alarm's state (e.g. clearing a cleared alarm). */
export class AlarmStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlarmStateError';
  }
}

// ---- Rule input events (the cloud calls the engine with these) ----

interface DeviceRef {
  orgId: string;
  deviceId: string;
  machineId: string | null;
}

/** One verdict window from a device batch (protocol E `windows[]`), with the threshold in force. */
export interface EdgeWindowEvent extends DeviceRef {
  t: number;
  score: number;
  state: 'learning' | 'normal' | 'watch' | 'alarm';
  /** The device's alert threshold (card thresholds.alert or the device config override). */
  threshold: number;
}

/** A server ensemble verdict on an uploaded clip (contract G; score is calibrated, 1 = threshold). */
export interface CloudVerdictEvent extends DeviceRef {
  t: number;
  clipId: string;
  score: number;
  state: 'normal' | 'borderline' | 'anomalous';
  fault: FaultGuess | null;
  version: string;
}

/**
 * Sent when the service's status sweep decides a device went offline (and again on later sweeps while
 * it stays offline, so the engine can escalate), and when it is heard from again.
 */
export interface DeviceStatusEvent extends DeviceRef {
  t: number;
  status: 'online' | 'offline';
  lastSeenAt: number | null;
}

/** A sequence gap inside one boot: seq fromSeq..toSeq (inclusive) never arrived. */
export interface DataLossEvent extends DeviceRef {
  t: number;
  bootId: string;
  fromSeq: number;
  toSeq: number;
}

/** Who did a lifecycle op. Permission checks (role, org) are the caller's job. */
export interface Actor {
  userId: string;
}
