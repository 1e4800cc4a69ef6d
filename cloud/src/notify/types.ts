/**
 * Notification contract: channels, recipients with their preferences, and the delivery queue/log.
 * The cloud service implements `DeliveryStore` and `RecipientDirectory` on drizzle; the in-memory
 * versions live in `memory-store.ts`. All times are milliseconds since the Unix epoch (UTC).
 */
import type { Alarm, Severity, TransitionKind } from '../alarms/types.ts';

export const CHANNEL_IDS = ['email', 'sms', 'kakao', 'push'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export type Locale = 'ko' | 'en';

/** The browser's `PushSubscription.toJSON()`. */
export interface WebPushSubscription {
  endpoint: string;
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
}

export interface QuietHours {
  /** "HH:MM" local time; start > end means the window crosses midnight. */
  start: string;
  end: string;
  /** IANA zone, e.g. "Asia/Seoul". */
  tz: string;
}

/** Same shape as `GET/PUT /api/me/preferences` (contract F). */
export interface Preferences {
  locale: Locale;
  channels: Record<ChannelId, boolean>;
  phone?: string | null;
  quietHours: QuietHours | null;
}

export interface Recipient {
  userId: string;
  name?: string;
  email?: string | null;
  /** E.164, e.g. +821012345678. */
  phone?: string | null;
  locale: Locale;
  /** From Kakao login; the "send to me" API needs the user's own token with talk_message consent. */
  kakaoAccessToken?: string | null;
  pushSubscriptions: WebPushSubscription[];
  preferences: Preferences;
}

/** Names shown in messages; looked up when rendering so renames show up. */
export interface DeviceDescription {
  deviceName: string;
  machineName: string | null;
  siteName: string | null;
}

export interface RecipientDirectory {
  /** Users of the org who should hear about this alarm (the dispatcher applies preferences). */
  recipientsFor(orgId: string, alarm: Alarm): Promise<Recipient[]>;
  /** Current data for one user at send time (tokens and subscriptions may have changed). */
  recipient(userId: string): Promise<Recipient | null>;
  /**
   * Optional: get a fresh Kakao access token for the user (e.g. arctic's `Kakao.refreshAccessToken`
   * with their stored refresh token) and persist it. Return null when that is impossible (no refresh
   * token, refresh token rejected): the user must sign in with Kakao again. Throw for a transient
   * failure (Kakao's auth server unreachable) and the delivery is retried later.
   */
  refreshKakaoToken?(userId: string): Promise<string | null>;
  /** Called when a push service answers 404/410: the subscription is gone for good. */
  removePushSubscription(userId: string, endpoint: string): Promise<void>;
  describeDevice(deviceId: string): Promise<DeviceDescription | null>;
}

/** A message already rendered in the recipient's language. */
export interface RenderedMessage {
  locale: Locale;
  /** Email subject / push title / first line of SMS and Kakao. */
  title: string;
  /** Plain text body. */
  body: string;
  /** SMS text: "[brand] title url", at most 140 characters (two Korean UCS-2 segments). */
  short: string;
  /** Deep link to the alarm in the dashboard. */
  url: string;
  severity: Severity;
  alarmId: string;
  kind: TransitionKind;
}

export interface DeliveryResult {
  ok: boolean;
  /** Retrying cannot help (bad address, revoked token, invalid number). */
  permanent?: boolean;
  /** The provider asked us to wait (Retry-After, 429). */
  retryAfterMs?: number;
  providerMessageId?: string;
  /** One line, safe to show to an admin (no secrets). */
  error?: string;
  httpStatus?: number;
  /** Kakao only: the user's access token is expired or revoked (-401); a refreshed token may work. */
  tokenExpired?: boolean;
  /** Push only: the subscription is gone (404/410); the caller deletes it. */
  expiredSubscription?: boolean;
}

export interface Channel {
  id: ChannelId;
  /** The addresses this channel would deliver to for a recipient (may be empty). */
  targets(recipient: Recipient): string[];
  /** Never throws for delivery failures: they come back as `{ok: false, ...}`. */
  send(recipient: Recipient, target: string, message: RenderedMessage): Promise<DeliveryResult>;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

export interface DeliveryAttempt {
  at: number;
  ok: boolean;
  error?: string;
  httpStatus?: number;
  providerMessageId?: string;
}

export interface Delivery {
  id: string;
  /** Unique: `${alarmEventId}:${userId}:${channel}:${target}`; enqueueing the same key twice is a no-op. */
  dedupeKey: string;
  orgId: string;
  alarmId: string;
  alarmEventId: string;
  userId: string;
  channel: ChannelId;
  /** Email address, phone number, push endpoint, or 'kakao:<userId>' (tokens are never stored here). */
  target: string;
  message: RenderedMessage;
  status: DeliveryStatus;
  /** Why a delivery was suppressed or finally failed. */
  reason: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  createdAt: number;
  sentAt: number | null;
  providerMessageId: string | null;
  log: DeliveryAttempt[];
}

export type NewDelivery = Omit<Delivery, 'id' | 'attempts' | 'sentAt' | 'providerMessageId' | 'log'> & { id?: string };

/** Implementations must pass `deliveryStoreSuite` (`store-suite.ts`). Reads return copies. */
export interface DeliveryStore {
  /** Inserts those whose dedupeKey is new; returns the stored rows for every input (existing ones as stored). */
  enqueue(deliveries: NewDelivery[]): Promise<Delivery[]>;
  /**
   * Pending deliveries with nextAttemptAt ≤ now, oldest nextAttemptAt first, at most `limit`. Claims
   * them by pushing nextAttemptAt to now + leaseMs atomically, so two workers never send the same one.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<Delivery[]>;
  markSent(id: string, attempt: DeliveryAttempt): Promise<Delivery>;
  /** nextAttemptAt null = give up (status 'failed'); otherwise stays 'pending' until then. */
  markFailed(id: string, attempt: DeliveryAttempt, nextAttemptAt: number | null, reason?: string): Promise<Delivery>;
  /** Oldest first. */
  listByAlarm(alarmId: string): Promise<Delivery[]>;
  get(id: string): Promise<Delivery | null>;
}
