/**
 * `npm start`: the product on one machine. The cloud on its embedded libSQL file (dashboard at
 * /app/, flasher at /flasher/), a demo organisation whose credentials are printed, and a small
 * fleet of simulated compressors running the host build of the firmware, one of which develops a
 * bearing fault within the first minute. Ctrl-C stops the fleet, then the cloud, cleanly.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { loadConfig } from '../cloud/src/config.ts';
import { seedDemo } from '../cloud/src/seed.ts';
import { startServer } from '../cloud/src/server.ts';
// @ts-expect-error: a plain .mjs script shared with `npm test`
import { ensureSystemDeps } from '../scripts/system-deps.mjs';
import { ensureDeviceBinary } from '../simulator/device-binary.ts';
import { runFleet } from '../simulator/fleet.ts';
import { planFleet } from '../simulator/scenario.ts';
import { CliError, numberFlag } from './errors.ts';

export default defineCommand({
  meta: { name: 'start', description: 'start the product: cloud, dashboard, flasher and a simulated fleet' },
  args: {
    port: { type: 'string', description: 'port for the cloud (default $PORT or 8787; 0 = any free port)' },
    'data-dir': { type: 'string', description: 'where the database, clips and secrets live (default ./data)' },
    devices: { type: 'string', description: 'simulated devices (0 = none)', default: '6' },
    seed: { type: 'string', description: 'scenario seed', default: '1' },
  },
  async run({ args }) {
    const nDevices = numberFlag('devices', args.devices, { integer: true, min: 0, max: 200 });
    const seed = numberFlag('seed', args.seed, { integer: true, min: 0 });
    const dataDir = resolve(args['data-dir'] ?? process.env.DATA_DIR ?? './data');
    mkdirSync(dataDir, { recursive: true });
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dataDir, 'signalcraft.db')}`,
      LOG_REQUESTS: process.env.LOG_REQUESTS ?? 'false',
    };
    if (args.port !== undefined) env.PORT = String(numberFlag('port', args.port, { integer: true, min: 0, max: 65535 }));
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(env);
    } catch (err) {
      throw new CliError((err as Error).message, 2);
    }

    let binary = '';
    if (nDevices > 0) {
      try {
        ensureSystemDeps({ browser: false });
        binary = await ensureDeviceBinary((line) => process.stderr.write(`${line}\n`));
      } catch (err) {
        throw new CliError(`cannot build the simulated devices' firmware: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    const server = await startServer({ config }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new CliError(`port ${config.PORT} is in use; stop the other process or pass --port`);
      throw err;
    });
    const demo = await seedDemo(server.ctx.db, { count: nDevices });
    process.stdout.write(
      [
        '',
        'Signalcraft is running.',
        `  dashboard   ${server.url}/app/`,
        `  flasher     ${server.url}/flasher/`,
        `  API         ${server.url}/api/openapi.json`,
        `  sign in     ${demo.email}  /  ${demo.password}`,
        `  database    ${config.DATABASE_URL}`,
        nDevices > 0
          ? `  fleet       ${nDevices} simulated compressors (host-built firmware); ${demo.devices[0]?.machineName} develops a bearing fault in the first minute`
          : '  fleet       none (--devices 0)',
        '',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );

    const plans = planFleet({ devices: nDevices, seed, firstFaultS: 20, outage: true });
    const fleet =
      nDevices > 0
        ? await runFleet({
            cloudUrl: server.url,
            devices: demo.devices.map((d, i) => ({ plan: plans[i], deviceId: d.id, token: d.token })),
            binary,
            workDir: join(dataDir, 'devices'),
            realtime: true,
            learningWindows: 20,
            batchWindows: 10,
            clipIntervalS: 30,
            onWindow: (() => {
              const last = new Map<string, string>();
              const names = new Map(demo.devices.map((d) => [d.id, d.machineName]));
              return (e) => {
                if (last.get(e.deviceId) === e.state) return;
                last.set(e.deviceId, e.state);
                process.stdout.write(
                  `${new Date(e.t).toLocaleTimeString()}  ${names.get(e.deviceId)}: ${e.state} (score ${e.score.toFixed(2)})\n`,
                );
              };
            })(),
          })
        : null;

    await new Promise<void>((done) => {
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`\n${signal}: stopping the fleet and the cloud…\n`);
        await fleet?.stop();
        await server.close();
        process.stdout.write('stopped.\n');
        done();
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
  },
});
