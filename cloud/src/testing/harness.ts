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
export async function startTestServer(env: Partial<Env> = {}, opts: Omit<StartOptions, 'config'> = {}): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-cloud-'));
  const config = loadConfig(
    {},
    {
      PORT: 0,
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${path.join(dir, 'test.db')}`,
      DATA_DIR: dir,
      MODEL_DIR: path.join(dir, 'no-model'),
      LOG_REQUESTS: false,
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
