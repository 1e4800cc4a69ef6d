/**
 * The database schema: one source of truth for every table. Times are integer ms since the Unix
 * epoch (UTC). Every row a user can see carries `org_id` so each query can scope by organisation.
 * Migrations are generated from this file by drizzle-kit (`cloud/drizzle.config.ts`).
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer('created_at').notNull().default(sql`(unixepoch() * 1000)`);

export const ROLES = ['owner', 'admin', 'technician', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id PHC string; null for accounts that only sign in with Kakao. */
    passwordHash: text('password_hash'),
    role: text('role', { enum: ROLES }).notNull(),
    locale: text('locale', { enum: ['ko', 'en'] })
      .notNull()
      .default('ko'),
    phone: text('phone'),
    /** JSON: { channels, quietHours } of contract F preferences. */
    preferences: text('preferences', { mode: 'json' }).$type<{
      channels: { email: boolean; sms: boolean; kakao: boolean; push: boolean };
      quietHours: { start: string; end: string; tz: string } | null;
    }>(),
    kakaoId: text('kakao_id'),
    kakaoAccessToken: text('kakao_access_token'),
    kakaoRefreshToken: text('kakao_refresh_token'),
    kakaoTokenExpiresAt: integer('kakao_token_expires_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(t.email),
    uniqueIndex('users_kakao_uq').on(t.kakaoId),
    index('users_org_idx').on(t.orgId),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** sha256 of the cookie value; the cookie itself is never stored. */
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const invitations = sqliteTable('invitations', {
  tokenHash: text('token_hash').primaryKey(),
  orgId: text('org_id')
    .notNull()
    .references(() => orgs.id),
  email: text('email').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  createdBy: text('created_by').notNull(),
  expiresAt: integer('expires_at').notNull(),
  acceptedAt: integer('accepted_at'),
  createdAt: createdAt(),
});

export const passwordResets = sqliteTable('password_resets', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  createdAt: createdAt(),
});

export const sites = sqliteTable(
  'sites',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sites_org_name_uq').on(t.orgId, t.name)],
);

export const machines = sqliteTable(
  'machines',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    siteId: text('site_id')
      .notNull()
      .references(() => sites.id),
    name: text('name').notNull(),
    compressorType: text('compressor_type').notNull(),
    location: text('location').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('machines_org_idx').on(t.orgId)],
);

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    name: text('name').notNull(),
    /** sha256 of the provisioning token (32 random bytes, so a fast hash is enough). */
    tokenHash: text('token_hash').notNull(),
    status: text('status', { enum: ['active', 'decommissioned'] })
      .notNull()
      .default('active'),
    decommissionedAt: integer('decommissioned_at'),
    lastSeen: integer('last_seen'),
    /** What the status sweep last reported, so online/offline transitions are emitted once. */
    online: integer('online', { mode: 'boolean' }).notNull().default(false),
    firmware: text('firmware'),
    modelSha256: text('model_sha256'),
    rssi: integer('rssi'),
    freeHeap: integer('free_heap'),
    outboxDepth: integer('outbox_depth'),
    uptimeS: integer('uptime_s'),
    lastScore: real('last_score'),
    lastState: text('last_state'),
    lastWindowAt: integer('last_window_at'),
    /** Per-device overrides of the model card's thresholds; null = use the card. */
    alertThreshold: real('alert_threshold'),
    borderlineLow: real('borderline_low'),
    cadenceS: integer('cadence_s'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('devices_token_uq').on(t.tokenHash),
    index('devices_org_idx').on(t.orgId),
    index('devices_machine_idx').on(t.machineId),
  ],
);

/** One row per accepted outbox message: the idempotency key and the ack we gave. */
export const deviceMessages = sqliteTable(
  'device_messages',
  {
    deviceId: text('device_id').notNull(),
    bootId: text('boot_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['verdicts', 'clip', 'legacy'] }).notNull(),
    clipId: text('clip_id'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.bootId, t.seq] })],
);

/** Highest seq seen per boot, for gap detection. */
export const deviceBoots = sqliteTable(
  'device_boots',
  {
    deviceId: text('device_id').notNull(),
    bootId: text('boot_id').notNull(),
    maxSeq: integer('max_seq').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.bootId] })],
);

/** Missing seq ranges within a boot. A late arrival shrinks or splits its range. */
export const dataLoss = sqliteTable(
  'data_loss',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: text('org_id').notNull(),
    deviceId: text('device_id').notNull(),
    bootId: text('boot_id').notNull(),
    fromSeq: integer('from_seq').notNull(),
    toSeq: integer('to_seq').notNull(),
    detectedAt: integer('detected_at').notNull(),
  },
  (t) => [index('data_loss_device_idx').on(t.deviceId, t.bootId)],
);

export const verdictWindows = sqliteTable(
  'verdict_windows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: text('org_id').notNull(),
    deviceId: text('device_id').notNull(),
    machineId: text('machine_id').notNull(),
    t: integer('t').notNull(),
    score: real('score').notNull(),
    state: text('state').notNull(),
    levelDb: real('level_db').notNull(),
    bootId: text('boot_id').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [index('verdict_windows_machine_t_idx').on(t.machineId, t.t), index('verdict_windows_t_idx').on(t.t)],
);

/** Per-minute and per-hour roll-ups, maintained in the ingest transaction. */
export const verdictRollups = sqliteTable(
  'verdict_rollups',
  {
    machineId: text('machine_id').notNull(),
    res: text('res', { enum: ['minute', 'hour'] }).notNull(),
    start: integer('start').notNull(),
    orgId: text('org_id').notNull(),
    n: integer('n').notNull(),
    sum: real('sum').notNull(),
    max: real('max').notNull(),
    /** Worst state in the bucket by severity rank (learning < normal < watch < alarm). */
    worst: integer('worst').notNull(),
  },
  (t) => [primaryKey({ columns: [t.machineId, t.res, t.start] })],
);

export const clips = sqliteTable(
  'clips',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    deviceId: text('device_id').notNull(),
    machineId: text('machine_id').notNull(),
    t: integer('t').notNull(),
    edgeScore: real('edge_score').notNull(),
    encoding: text('encoding').notNull(),
    samples: integer('samples').notNull(),
    sampleRate: integer('sample_rate').notNull(),
    /** sha256 of the decoded pcm16 bytes; the file is DATA_DIR/clips/<aa>/<sha256>.pcm */
    sha256: text('sha256').notNull(),
    source: text('source', { enum: ['device', 'upload'] })
      .notNull()
      .default('device'),
    createdAt: createdAt(),
  },
  (t) => [index('clips_machine_idx').on(t.machineId, t.t), index('clips_org_idx').on(t.orgId)],
);

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'no-ensemble'] as const;
export const rescoreJobs = sqliteTable(
  'rescore_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clipId: text('clip_id').notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('rescore_jobs_status_idx').on(t.status), uniqueIndex('rescore_jobs_clip_uq').on(t.clipId)],
);

export const cloudVerdicts = sqliteTable('cloud_verdicts', {
  clipId: text('clip_id').primaryKey(),
  orgId: text('org_id').notNull(),
  score: real('score').notNull(),
  state: text('state', { enum: ['normal', 'borderline', 'anomalous'] }).notNull(),
  faultType: text('fault_type'),
  faultConfidence: real('fault_confidence'),
  explanation: text('explanation', { mode: 'json' }).notNull(),
  detectors: text('detectors', { mode: 'json' }).notNull(),
  version: text('version').notNull(),
  createdAt: createdAt(),
});

export const clipLabels = sqliteTable(
  'clip_labels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clipId: text('clip_id').notNull(),
    orgId: text('org_id').notNull(),
    userId: text('user_id').notNull(),
    label: text('label').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('clip_labels_clip_idx').on(t.clipId)],
);

/** Realtime events, kept for Last-Event-ID resume (any instance can replay them). */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: text('org_id').notNull(),
    type: text('type').notNull(),
    data: text('data').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('events_org_id_idx').on(t.orgId, t.id)],
);

// ---- alarms and notifications (interfaces in ../alarms/types.ts and ../notify/types.ts) ----

export const alarms = sqliteTable(
  'alarms',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    deviceId: text('device_id').notNull(),
    machineId: text('machine_id'),
    type: text('type').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    acknowledged: integer('acknowledged', { mode: 'boolean' }).notNull(),
    ackBy: text('ack_by'),
    ackAt: integer('ack_at'),
    assigneeId: text('assignee_id'),
    openedAt: integer('opened_at').notNull(),
    clearedAt: integer('cleared_at'),
    clearedBy: text('cleared_by'),
    lastEventAt: integer('last_event_at').notNull(),
    cooldownUntil: integer('cooldown_until'),
    title: text('title').notNull(),
    detail: text('detail', { mode: 'json' }).notNull(),
    /** Set to device_id:type while active so the unique index allows one active alarm per (device, type). */
    activeKey: text('active_key'),
  },
  (t) => [
    uniqueIndex('alarms_active_uq').on(t.activeKey),
    index('alarms_org_idx').on(t.orgId, t.lastEventAt),
    index('alarms_device_type_idx').on(t.deviceId, t.type, t.openedAt),
  ],
);

export const alarmNotes = sqliteTable(
  'alarm_notes',
  {
    id: text('id').primaryKey(),
    alarmId: text('alarm_id').notNull(),
    authorId: text('author_id').notNull(),
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('alarm_notes_alarm_idx').on(t.alarmId)],
);

export const alarmEvents = sqliteTable(
  'alarm_events',
  {
    id: text('id').primaryKey(),
    alarmId: text('alarm_id').notNull(),
    kind: text('kind').notNull(),
    at: integer('at').notNull(),
    actorId: text('actor_id'),
    severity: text('severity').notNull(),
    data: text('data', { mode: 'json' }).notNull(),
  },
  (t) => [index('alarm_events_alarm_idx').on(t.alarmId)],
);

export const alarmStreaks = sqliteTable(
  'alarm_streaks',
  {
    deviceId: text('device_id').notNull(),
    type: text('type').notNull(),
    count: integer('count').notNull(),
    highCount: integer('high_count').notNull().default(0),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
    maxScore: real('max_score').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.type] })],
);

export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    orgId: text('org_id').notNull(),
    alarmId: text('alarm_id').notNull(),
    alarmEventId: text('alarm_event_id').notNull(),
    userId: text('user_id').notNull(),
    channel: text('channel').notNull(),
    target: text('target').notNull(),
    message: text('message', { mode: 'json' }).notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    providerMessageId: text('provider_message_id'),
    log: text('log', { mode: 'json' }).notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_dedupe_uq').on(t.dedupeKey),
    index('deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('deliveries_alarm_idx').on(t.alarmId),
  ],
);

export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    endpoint: text('endpoint').primaryKey(),
    userId: text('user_id').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    expirationTime: integer('expiration_time'),
    createdAt: createdAt(),
  },
  (t) => [index('push_subscriptions_user_idx').on(t.userId)],
);
