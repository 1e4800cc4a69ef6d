import path from 'node:path';
import { serve } from '@hono/node-server';
import { AlarmService } from './alarm-service.ts';
import type { RuleConfig } from './alarms/rules.ts';
import { createApp } from './app.ts';
import { freshKakaoToken, kakaoClient } from './auth/kakao.ts';
import { createMailer, type Mailer } from './auth/mailer.ts';
import { type Config, loadConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { openDatabase } from './db/client.ts';
import { RateLimiter } from './device/rate-limit.ts';
import { jsonLogger, type Logger } from './log.ts';
import { DEFAULT_MODEL_DIR, loadModelInfo } from './models/registry.ts';
import { channelsFromEnv } from './notify/channels/index.ts';
import { NotificationDispatcher } from './notify/dispatcher.ts';
import type { Channel, ChannelId } from './notify/types.ts';
import { Pipeline } from './pipeline.ts';
import { type Broadcaster, DbPollingBroadcaster, InProcessBroadcaster } from './realtime/broadcaster.ts';
import { type EnsembleLoader, RescoreWorker } from './rescore/worker.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { ClipStore } from './storage/clip-store.ts';
import { DbRecipientDirectory, DrizzleDeliveryStore } from './storage/notify-store.ts';
import { pruneOld } from './storage/retention.ts';

export interface StartOptions {
  /** Defaults to `loadConfig(process.env)`. */
  config?: Config;
  logger?: Logger;
  /** 'poll' shares events between instances through the database (see README). */
  broadcaster?: 'in-process' | 'poll';
  now?: () => number;
  /** Replaces the SMTP mailer (tests capture mail this way). */
  mailer?: Mailer;
  /** Overrides of the alarm rule defaults (tests shorten the hysteresis). */
  rules?: Partial<RuleConfig>;
  /** Replaces the import of cloud/src/ensemble/scorer.ts (tests). */
  ensembleLoader?: EnsembleLoader;
  /**
   * Extra environment for the notification channels (notify/channels: SMTP_URL, TWILIO_*, KAKAO_*,
   * VAPID_SUBJECT); merged over process.env. Tests point the channels at local servers this way.
   */
  notifyEnv?: Record<string, string | undefined>;
  /** Seconds between notification worker passes (default 5). */
  notifyIntervalMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the context (db + migrations, secrets, model) without listening: for tests and scripts. */
export async function openContext(config: Config, opts: Omit<StartOptions, 'config'> = {}): Promise<AppContext> {
  const database = await openDatabase(config.DATABASE_URL, {
    authToken: config.DATABASE_AUTH_TOKEN,
    synchronous: config.DB_SYNCHRONOUS,
  });
  const log = opts.logger ?? jsonLogger(undefined, config.LOG_REQUESTS);
  const bus: Broadcaster =
    opts.broadcaster === 'poll' ? new DbPollingBroadcaster(database.db) : new InProcessBroadcaster(database.db);
  const pending = new Set<Promise<unknown>>();
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    bus,
    log,
    secrets: await loadOrCreateSecrets(config.dataDir),
    model: await loadModelInfo(config.MODEL_DIR ? path.resolve(config.MODEL_DIR) : DEFAULT_MODEL_DIR),
    clips: new ClipStore(path.join(config.dataDir, 'clips')),
    mailer: opts.mailer ?? createMailer(config.SMTP_URL, config.MAIL_FROM, log),
    deviceLimiter: new RateLimiter(config.DEVICE_RATE_BURST, config.DEVICE_RATE_PER_S, opts.now ?? Date.now),
    pipeline: null as unknown as Pipeline,
    alarms: null as unknown as AlarmService,
    rescore: null as unknown as RescoreWorker,
    notifier: null as unknown as AppContext['notifier'],
    shutdown: new AbortController(),
    kickRescore: () => ctx.rescore.kick(),
    now: opts.now ?? Date.now,
    track(p) {
      pending.add(p);
      p.finally(() => pending.delete(p)).catch(() => undefined);
      return p;
    },
  };
  ctx.pipeline = new Pipeline(ctx);
  ctx.alarms = new AlarmService(ctx, opts.rules);
  ctx.pipeline.alarms = ctx.alarms;
  ctx.rescore = new RescoreWorker(ctx, opts.ensembleLoader);
  const setup = channelsFromEnv(
    {
      ...process.env,
      SMTP_URL: config.SMTP_URL,
      MAIL_FROM: config.MAIL_FROM,
      KAKAO_API_BASE_URL: config.KAKAO_API_BASE_URL,
      ...opts.notifyEnv,
    },
    ctx.secrets.vapid,
  );
  for (const [id, why] of Object.entries(setup.disabled)) log.info('notification channel off', { channel: id, reason: why });
  ctx.notifier = {
    channels: setup.channels as Partial<Record<ChannelId, Channel>>,
    close: setup.close,
    dispatcher: new NotificationDispatcher({
      deliveries: new DrizzleDeliveryStore(database.db),
      directory: new DbRecipientDirectory(database.db, (u) => freshKakaoToken(database.db, kakaoClient(ctx), u, ctx.now())),
      channels: setup.channels,
      alarmUrl: (a) => `${ctx.config.publicUrl}/app/#/alarms/${a.id}`,
      onAttempt: (d, r) =>
        log.info('notification attempt', {
          deliveryId: d.id,
          alarmId: d.alarmId,
          channel: d.channel,
          ok: r.ok,
          status: d.status,
          error: r.error,
        }),
    }),
  };
  ctx.alarms.sink = { handle: (t) => ctx.notifier.dispatcher.handle(t, ctx.now()) };
  (ctx as { drain?: () => Promise<void> }).drain = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };
  return ctx;
}

/** Waits for background work (publishes, notifications) started by requests. */
export async function drain(ctx: AppContext): Promise<void> {
  await (ctx as { drain?: () => Promise<void> }).drain?.();
}

/**
 * Starts the service: migrations, the HTTP server, background sweeps. `close()` stops accepting,
 * ends SSE streams, waits for in-flight writes and closes the database.
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config = opts.config ?? loadConfig();
  const ctx = await openContext(config, opts);
  const app = createApp(ctx);
  await ctx.rescore.recover();
  ctx.rescore.kick();
  const notifyWorker = ctx.notifier.dispatcher.startWorker({
    intervalMs: opts.notifyIntervalMs ?? 5000,
    now: () => ctx.now(),
    onError: (err) =>
      ctx.log.error('notification worker failed', { error: String(err), cause: String((err as Error)?.cause ?? '') }),
  });
  const sweep = setInterval(() => void ctx.pipeline.sweepOffline().catch(() => undefined), 15_000);
  sweep.unref();
  const prune = () =>
    pruneOld(ctx).then(
      (r) => ctx.log.info('retention', { ...r }),
      (err) => ctx.log.error('retention failed', { error: String(err), cause: String((err as Error)?.cause ?? '') }),
    );
  await prune();
  const pruner = setInterval(() => void prune(), 3600_000);
  pruner.unref();
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  if (!config.PUBLIC_URL) ctx.config.publicUrl = url;
  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    ctx,
    close() {
      closed ??= (async () => {
        clearInterval(sweep);
        clearInterval(pruner);
        ctx.rescore.stop();
        const http = server as unknown as { closeIdleConnections(): void; closeAllConnections(): void };
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // end SSE streams so their connections can finish; in-flight writes get a grace period
        ctx.shutdown.abort();
        ctx.bus.close();
        http.closeIdleConnections();
        const grace = setTimeout(() => http.closeAllConnections(), 5000);
        await stopped;
        clearTimeout(grace);
        await drain(ctx);
        await ctx.rescore.close();
        await notifyWorker.stop();
        ctx.notifier.close();
        ctx.database.close();
      })();
      return closed;
    },
  };
}
