import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/**
 * Configuration from the environment, parsed once at start so a bad setting fails there with the
 * variable's name, not at the first request.
 */
export const envSchema = z.object({
  PORT: int(8787).pipe(z.number().max(65535)),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().default('file:./data/signalcraft.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  /** full: fsync every commit (survives power loss); normal: survives a process crash only, faster. */
  DB_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  DATA_DIR: z.string().default('./data'),
  PUBLIC_URL: z.string().url().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Signalcraft <alerts@signalcraft.local>'),
  KAKAO_CLIENT_ID: z.string().optional(),
  KAKAO_CLIENT_SECRET: z.string().optional(),
  KAKAO_REDIRECT_URI: z.string().optional(),
  KAKAO_API_BASE_URL: z.string().optional(),
  /** Seconds of silence after which a device counts as offline. */
  OFFLINE_AFTER_S: int(180, 10),
  /** Raw verdict windows older than this are deleted (roll-ups stay). */
  RETENTION_RAW_DAYS: int(30, 1),
  RETENTION_MINUTE_DAYS: int(90, 1),
  RETENTION_HOUR_DAYS: int(730, 1),
  /** Token bucket per device: burst and sustained requests per second. */
  DEVICE_RATE_BURST: int(30, 1),
  DEVICE_RATE_PER_S: z.coerce.number().positive().default(2),
  SESSION_TTL_H: int(24 * 14, 1),
  /** Sign-in, sign-up and reset attempts per client address: burst, then per second. */
  AUTH_RATE_BURST: int(10, 1),
  AUTH_RATE_PER_S: z.coerce
    .number()
    .positive()
    .default(1 / 6),
  ENSEMBLE_DIR: z.string().optional(),
  MODEL_DIR: z.string().optional(),
  DEVICE_CADENCE_S: int(10, 1),
  LOG_REQUESTS: bool.default(true),
  /** Secure cookies need https; off for plain-http localhost. Default: on iff PUBLIC_URL is https. */
  COOKIE_SECURE: bool.optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  publicUrl: string;
  dataDir: string;
  cookieSecure: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Env> = {}): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${String(first.path[0])} is invalid: ${first.message}`);
  }
  const merged = { ...parsed.data, ...overrides };
  const publicUrl = (merged.PUBLIC_URL ?? `http://${merged.HOST}:${merged.PORT}`).replace(/\/$/, '');
  return {
    ...merged,
    publicUrl,
    dataDir: path.resolve(merged.DATA_DIR),
    cookieSecure: merged.COOKIE_SECURE ?? publicUrl.startsWith('https:'),
  };
}
