/**
 * Runs a fleet of simulated devices: one `signalcraft-device` process (the host build of the
 * firmware) per compressor, fed synthetic audio on stdin, talking to the cloud only through the
 * device API via the Wi-Fi proxy. Each device keeps its outbox in its own directory, so a cloud
 * restart or a Wi-Fi outage is absorbed by the same store-and-forward code the ESP32 runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AudioFeed } from './audio-feed.ts';
import { type DevicePlan, inOutage } from './scenario.ts';
import { startWifiProxy, type WifiProxy } from './wifi-proxy.ts';

export interface FleetDevice {
  readonly plan: DevicePlan;
  readonly deviceId: string;
  readonly token: string;
}

export interface WindowEvent {
  readonly deviceId: string;
  readonly t: number;
  readonly score: number;
  readonly smoothed: number;
  readonly state: string;
  readonly levelDb: number;
  readonly clip: boolean;
}

export interface DeviceSummary {
  readonly deviceId: string;
  readonly windows: number;
  readonly lastState: string;
  readonly pending: number;
  readonly exitCode: number | null;
  readonly runs: number;
}

export interface FleetRunOptions {
  readonly cloudUrl: string;
  readonly devices: readonly FleetDevice[];
  readonly binary: string;
  readonly workDir: string;
  /** Seconds of audio per device; undefined runs until stop(). */
  readonly durationS?: number;
  /** Pace audio at real time (demo) or as fast as the CPU allows (tests, load). */
  readonly realtime: boolean;
  readonly learningWindows?: number;
  readonly batchWindows?: number;
  readonly clipIntervalS?: number;
  readonly segmentS?: number;
  readonly onWindow?: (e: WindowEvent) => void;
  readonly onLog?: (deviceId: string, line: string) => void;
}

export interface FleetRun {
  readonly proxy: WifiProxy;
  /** Every window each device decided, in order (what the cloud must end up holding). */
  readonly windows: Map<string, WindowEvent[]>;
  stop(): Promise<void>;
  readonly done: Promise<DeviceSummary[]>;
}

const WINDOW_RE = /^window t=(\d+) score=([-\d.e+naif]+) smoothed=([-\d.e+naif]+) state=(\w+) level=([-\d.e+naif]+)( clip)?/;
const SUMMARY_RE = /^summary: .*pending (\d+)/;

export async function runFleet(opts: FleetRunOptions): Promise<FleetRun> {
  const proxy = await startWifiProxy(opts.cloudUrl);
  const windows = new Map<string, WindowEvent[]>();
  let stopping = false;
  const children = new Set<import('node:child_process').ChildProcess>();

  const runDevice = async (d: FleetDevice): Promise<DeviceSummary> => {
    const outbox = join(opts.workDir, d.deviceId);
    mkdirSync(outbox, { recursive: true });
    const list: WindowEvent[] = [];
    windows.set(d.deviceId, list);
    const feed = new AudioFeed(d.plan, opts.segmentS ?? 10);
    const durationMs = (opts.durationS ?? 0) * 1000;
    const startMs = opts.realtime ? Date.now() : Date.now() - durationMs;
    let pending = 0;
    let runs = 0;
    let lastState = 'learning';
    let exitCode: number | null = null;

    // One "power cycle" of the device: a fresh boot id, the same outbox directory.
    const boot = (withAudio: boolean) =>
      new Promise<number | null>((resolve) => {
        runs++;
        const args = [
          '--stdin',
          '--outbox',
          outbox,
          '--device-id',
          d.deviceId,
          '--url',
          proxy.url,
          '--token',
          d.token,
          '--events',
          '--start-ms',
          String(startMs),
          '--batch-windows',
          String(opts.batchWindows ?? 10),
          '--learning-windows',
          String(opts.learningWindows ?? 20),
          '--clip-interval-s',
          String(opts.clipIntervalS ?? 60),
        ];
        if (opts.realtime) args.push('--realtime');
        const child = spawn(opts.binary, args, { stdio: ['pipe', 'ignore', 'pipe'] });
        children.add(child);
        createInterface({ input: child.stderr! }).on('line', (line) => {
          const w = WINDOW_RE.exec(line);
          if (w) {
            const e: WindowEvent = {
              deviceId: d.deviceId,
              t: Number(w[1]),
              score: Number(w[2]),
              smoothed: Number(w[3]),
              state: w[4],
              levelDb: Number(w[5]),
              clip: Boolean(w[6]),
            };
            lastState = e.state;
            list.push(e);
            opts.onWindow?.(e);
            return;
          }
          const s = SUMMARY_RE.exec(line);
          if (s) pending = Number(s[1]);
          opts.onLog?.(d.deviceId, line);
        });
        child.stdin!.on('error', () => {}); // the device may exit first (e.g. a rejected token)
        child.on('close', (code) => {
          children.delete(child);
          resolve(code);
        });
        if (!withAudio) {
          child.stdin!.end();
          return;
        }
        const exited = once(child, 'close');
        void (async () => {
          while (!stopping && (opts.durationS === undefined || feed.producedS < opts.durationS)) {
            proxy.setOffline(d.token, inOutage(d.plan, feed.producedS));
            const chunk = feed.next();
            if (!child.stdin!.write(chunk)) await Promise.race([once(child.stdin!, 'drain'), exited]);
            if (child.exitCode !== null) break;
          }
          proxy.setOffline(d.token, false);
          child.stdin!.end();
        })();
      });

    exitCode = await boot(true);
    // Whatever is still in the outbox (the cloud was down at the end) is sent by later boots,
    // just as a real device retries after a restart.
    for (let attempt = 0; pending > 0 && !stopping && exitCode !== 4 && attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      exitCode = await boot(false);
    }
    return { deviceId: d.deviceId, windows: list.length, lastState, pending, exitCode, runs };
  };

  const done = Promise.all(opts.devices.map(runDevice)).finally(() => proxy.close());
  return {
    proxy,
    windows,
    done,
    async stop() {
      stopping = true;
      for (const c of children) c.stdin?.end();
      await done.catch(() => undefined);
    },
  };
}
