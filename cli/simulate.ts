import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CloudUserSession } from '../simulator/cloud-client.ts';
import { ensureDeviceBinary } from '../simulator/device-binary.ts';
import { type FleetDevice, runFleet } from '../simulator/fleet.ts';
import { planFleet } from '../simulator/scenario.ts';
import { CliError, numberFlag } from './errors.ts';

export default defineCommand({
  meta: { name: 'simulate', description: 'run a fleet of simulated devices (the host-built firmware) against a cloud' },
  args: {
    devices: { type: 'string', description: 'number of devices (1-1000)', default: '6' },
    url: { type: 'string', description: 'cloud base URL, e.g. http://127.0.0.1:8787', required: true },
    email: { type: 'string', description: 'an admin account of the organisation to enrol the devices in (or SIGNALCRAFT_EMAIL)' },
    password: { type: 'string', description: 'its password (or SIGNALCRAFT_PASSWORD)' },
    seed: { type: 'string', description: 'scenario seed', default: '1' },
    duration: { type: 'string', description: 'seconds of audio per device (default: run until Ctrl-C)' },
    fast: { type: 'boolean', description: 'feed audio as fast as the CPU allows instead of in real time', default: false },
    outage: { type: 'boolean', description: 'device 2 loses Wi-Fi for 30 s (outbox replay)', default: true },
    'first-fault': { type: 'string', description: 'seconds until device 1 develops a bearing fault', default: '20' },
    'learning-windows': { type: 'string', description: 'baseline-learning windows after install', default: '20' },
  },
  async run({ args }) {
    const n = numberFlag('devices', args.devices, { integer: true, min: 1, max: 1000 });
    const seed = numberFlag('seed', args.seed, { integer: true, min: 0 });
    const durationS = args.duration === undefined ? undefined : numberFlag('duration', args.duration, { min: 1, max: 86400 });
    const learningWindows = numberFlag('learning-windows', args['learning-windows'], { integer: true, min: 0 });
    const firstFaultS = numberFlag('first-fault', args['first-fault'], { min: 0 });
    let url: URL;
    try {
      url = new URL(args.url);
    } catch {
      throw new CliError(`--url must be a URL like http://127.0.0.1:8787 (got ${JSON.stringify(args.url)})`, 2);
    }
    const email = args.email ?? process.env.SIGNALCRAFT_EMAIL;
    const password = args.password ?? process.env.SIGNALCRAFT_PASSWORD;
    if (!email || !password)
      throw new CliError('give --email and --password (or SIGNALCRAFT_EMAIL / SIGNALCRAFT_PASSWORD) of an admin account', 2);

    const binary = await ensureDeviceBinary((l) => process.stderr.write(`${l}\n`)).catch((err: Error) => {
      throw new CliError(`cannot build the host firmware: ${err.message.split('\n')[0]}`);
    });
    const session = await CloudUserSession.signIn(url.href, email, password).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const plans = planFleet({ devices: n, seed, firstFaultS, outage: args.outage });
    const prefix = `sim${seed}-${Date.now().toString(36)}`;
    const devices: FleetDevice[] = [];
    for (const plan of plans) devices.push({ plan, ...(await session.registerDevice(plan, prefix)) });
    process.stderr.write(`enrolled ${devices.length} simulated devices (${prefix}); streaming audio…\n`);

    const fleet = await runFleet({
      cloudUrl: url.href,
      devices,
      binary,
      workDir: mkdtempSync(join(tmpdir(), 'sc-fleet-')),
      durationS,
      realtime: !args.fast,
      learningWindows,
      onWindow: (() => {
        const last = new Map<string, string>();
        return (e) => {
          if (last.get(e.deviceId) !== e.state) {
            last.set(e.deviceId, e.state);
            process.stdout.write(`${new Date(e.t).toISOString()} ${e.deviceId} → ${e.state} (score ${e.score.toFixed(3)})\n`);
          }
        };
      })(),
    });
    const stop = () => void fleet.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const summaries = await fleet.done;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    for (const s of summaries) {
      process.stdout.write(`${s.deviceId}: ${s.windows} windows, last state ${s.lastState}, ${s.pending} pending in outbox\n`);
    }
  },
});
