import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Config, type Env, loadConfig } from '../config.ts';
import { createOrg, type NewDevice, registerDevice } from '../fleet/registry.ts';
import { silentLogger } from '../log.ts';
import { drain, type RunningServer, type StartOptions, startServer } from '../server.ts';

export interface TestServer extends RunningServer {
  dir: string;
  config: Config;
  /** Stops the server and deletes its temp folder. */
  dispose(): Promise<void>;
  /** Creates an org and a device in it; returns the ids and the device token. */
  addDevice(
    orgId?: string,
    input?: Partial<NewDevice>,
  ): Promise<{ orgId: string; deviceId: string; machineId: string; token: string }>;
  /** Waits for background work started by earlier requests (SSE publishes, alarm rules). */
  settle(): Promise<void>;
}

/** A real server on a random loopback port against a temporary libSQL file. */
export async function startTestServer(
  env: Partial<Env> = {},
  opts: Omit<StartOptions, 'config'> & { dir?: string } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'sc-cloud-')));
  const config = loadConfig(
    {},
    {
      PORT: 0,
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${path.join(dir, 'test.db')}`,
      DATA_DIR: dir,
      MODEL_DIR: path.join(dir, 'no-model'),
      LOG_REQUESTS: false,
      // many accounts from one loopback address; the limit has its own test
      AUTH_RATE_BURST: 10_000,
      ...env,
    },
  );
  config.dataDir = dir;
  const server = await startServer({ config, logger: silentLogger, ...opts });
  return {
    ...server,
    dir,
    config,
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
    async addDevice(orgId, input = {}) {
      const org = orgId ?? (await createOrg(server.ctx.db, 'Test Org'));
      const { device, token } = await registerDevice(server.ctx.db, org, {
        name: 'Walk-in cooler',
        siteName: 'Seoul Mart',
        machineName: 'Compressor 1',
        compressorType: 'scroll',
        ...input,
      });
      return { orgId: org, deviceId: device.id, machineId: device.machineId, token };
    },
    settle: () => drain(server.ctx),
  };
}

/** JSON request helper: returns status, parsed body and headers. */
export async function call(
  base: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string>; cookie?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A signed-in browser stand-in: keeps cookies and sends the CSRF header on writes. */
export class UserClient {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  user: any = null;
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async req(
    method: string,
    url: string,
    body?: unknown,
    opts: { csrf?: boolean; raw?: BodyInit; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (method !== 'GET' && this.csrf && opts.csrf !== false) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + url, {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : opts.raw,
      redirect: 'manual',
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const eq = pair.indexOf('=');
      const k = pair.slice(0, eq).trim();
      const v = pair.slice(eq + 1).trim();
      if (v === '' || /max-age=0/i.test(sc)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep text
    }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    if (parsed && typeof parsed === 'object' && parsed.user) this.user = parsed.user;
    return { status: res.status, body: parsed, headers: res.headers };
  }

  static async signup(base: string, email: string, extra: Record<string, unknown> = {}): Promise<UserClient> {
    const u = new UserClient(base);
    const r = await u.req('POST', '/api/auth/signup', {
      email,
      password: 'correct horse battery',
      name: email.split('@')[0],
      ...extra,
    });
    if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
    return u;
  }
}
