import type { AlarmService } from './alarm-service.ts';
import type { Mailer } from './auth/mailer.ts';
import type { Config } from './config.ts';
import type { Database, Db } from './db/client.ts';
import type { RateLimiter } from './device/rate-limit.ts';
import type { Logger } from './log.ts';
import type { ModelInfo } from './models/registry.ts';
import type { NotificationDispatcher } from './notify/dispatcher.ts';
import type { Channel, ChannelId } from './notify/types.ts';
import type { Pipeline } from './pipeline.ts';
import type { Broadcaster } from './realtime/broadcaster.ts';
import type { RescoreWorker } from './rescore/worker.ts';
import type { Secrets } from './secrets.ts';
import type { ClipStore } from './storage/clip-store.ts';

/** What every route module receives: built once by `createApp`, never module-level state. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  bus: Broadcaster;
  log: Logger;
  secrets: Secrets;
  model: ModelInfo | null;
  clips: ClipStore;
  mailer: Mailer;
  deviceLimiter: RateLimiter;
  pipeline: Pipeline;
  alarms: AlarmService;
  rescore: RescoreWorker;
  notifier: { dispatcher: NotificationDispatcher; channels: Partial<Record<ChannelId, Channel>>; close(): void };
  /** Wakes the re-scoring worker after a clip job is committed. */
  kickRescore(): void;
  /** Aborted when the server shuts down: long-lived streams end themselves. */
  shutdown: AbortController;
  now(): number;
  /** Background work the server waits for on shutdown (notifications, SSE publishes). */
  track<T>(p: Promise<T>): Promise<T>;
}
