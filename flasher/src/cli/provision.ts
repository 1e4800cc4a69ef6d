import { defineCommand } from 'citty';
import { CliError, numberFlag } from '../../../cli/errors.ts';
import { ImprovParser, ImprovState, STATE_NAMES } from '../improv.ts';
import { ImprovClient, ImprovRpcError } from '../improv-client.ts';
import { type NodePortFactory, NodeSerialPort, portHint } from '../node-serial.ts';
import { SerialLink } from '../transport.ts';

export interface ProvisionCliOptions {
  port?: string;
  ssid?: string;
  password?: string;
  cloud?: string;
  token?: string;
  deviceId?: string;
  baud?: unknown;
  timeout?: unknown;
  /** After provisioning, print the device's log (Improv frames removed) for this long; Infinity = until Ctrl-C. */
  monitorMs?: number;
  /** Where the monitor writes the device log (default stdout). */
  monitorOut?: (text: string) => void;
}

export interface ProvisionResult {
  device: { firmware: string; version: string; chip: string; name: string };
  state: string;
  wifi: boolean;
  cloud: boolean;
}

/** The serial monitor: the device's log text, Improv frames filtered out, until time or Ctrl-C. */
function monitor(link: SerialLink, ms: number, out: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  const parser = new ImprovParser(undefined, (bytes) => out(decoder.decode(bytes, { stream: true })));
  const off = link.onData((b) => parser.push(b));
  return new Promise<void>((resolve) => {
    const stop = () => {
      off();
      process.off('SIGINT', stop);
      clearTimeout(timer);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(stop, ms) : undefined;
    process.once('SIGINT', stop);
  });
}

/** `signalcraft provision` as a function (tests inject a port factory). */
export async function runProvision(
  opts: ProvisionCliOptions,
  factory?: NodePortFactory,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<ProvisionResult> {
  if (!opts.port) throw new CliError(`--port is required (e.g. /dev/ttyUSB0); ${await portHint()}`, 2);
  const baudRate = numberFlag('baud', opts.baud ?? 115200, { integer: true, min: 9600, max: 3_000_000 });
  const timeoutS = numberFlag('timeout', opts.timeout ?? 30, { min: 1, max: 600 });
  if ((opts.cloud === undefined) !== (opts.token === undefined)) throw new CliError('--cloud and --token go together', 2);
  if (opts.cloud !== undefined) {
    try {
      const u = new URL(opts.cloud);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new CliError(`--cloud must be an http(s) URL (got ${JSON.stringify(opts.cloud)})`, 2);
    }
  }
  if (opts.password !== undefined && !opts.ssid) throw new CliError('--password needs --ssid', 2);
  const link = new SerialLink(new NodeSerialPort(opts.port, factory));
  try {
    await link.open(baudRate);
  } catch (err) {
    throw new CliError(`${(err as Error).message}. Close other programs using the port (IDF monitor, browser tabs) and retry.`);
  }
  const client = new ImprovClient(link, 3000);
  try {
    const device = await client.getDeviceInfo();
    log(`device: ${device.name} (${device.firmware} ${device.version}, ${device.chip})`);
    // Cloud first: the device then has everything it needs the moment Wi-Fi comes up (and may
    // restart after Improv's Wi-Fi step).
    let cloud = false;
    if (opts.cloud && opts.token) {
      await client.setCloud(opts.cloud, opts.token, opts.deviceId);
      cloud = true;
      log(`cloud: ${opts.cloud}`);
    }
    let wifi = false;
    if (opts.ssid) {
      log(`joining Wi-Fi "${opts.ssid}"…`);
      await client.provisionWifi(opts.ssid, opts.password ?? '', timeoutS * 1000);
      wifi = true;
      log('Wi-Fi: connected');
    }
    const state = await client.getState();
    if (opts.monitorMs) await monitor(link, opts.monitorMs, opts.monitorOut ?? ((t) => process.stdout.write(t)));
    return { device, state: STATE_NAMES[state] ?? `0x${state.toString(16)}`, wifi, cloud };
  } catch (err) {
    if (err instanceof ImprovRpcError) throw new CliError(err.message);
    throw err;
  } finally {
    client.dispose();
    await link.close();
  }
}

export default defineCommand({
  meta: { name: 'provision', description: 'provision Wi-Fi, cloud URL and device token over Improv serial' },
  args: {
    port: { type: 'string', description: 'serial port of the board (e.g. /dev/ttyUSB0)' },
    ssid: { type: 'string', description: 'Wi-Fi network name' },
    password: { type: 'string', description: 'Wi-Fi password' },
    cloud: { type: 'string', description: 'cloud URL the device reports to (e.g. https://signalcraft.example.com)' },
    token: { type: 'string', description: 'device token shown once when the device was registered' },
    'device-id': { type: 'string', description: 'device id the token belongs to (optional; the firmware stores it)' },
    baud: { type: 'string', description: 'baud rate of the firmware console (default 115200)' },
    timeout: { type: 'string', description: 'seconds to wait for Wi-Fi to connect (default 30)' },
    json: { type: 'boolean', default: false, description: 'print the result as JSON' },
    monitor: { type: 'boolean', default: false, description: "then show the device's log until Ctrl-C (serial monitor)" },
  },
  async run({ args }) {
    const r = await runProvision({
      ...args,
      deviceId: args['device-id'],
      monitorMs: args.monitor ? Number.POSITIVE_INFINITY : undefined,
      // With --json, stdout carries only the result; the log goes to stderr.
      monitorOut: (t) => (args.json ? process.stderr : process.stdout).write(t),
    });
    if (args.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else
      process.stdout.write(
        `${r.device.name}: ${r.state}${r.state === STATE_NAMES[ImprovState.Provisioned] ? '' : ' (Wi-Fi not set yet)'}\n`,
      );
  },
});
