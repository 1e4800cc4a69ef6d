/**
 * Cloud ingestion under load: a real server (Hono on @hono/node-server) on an embedded libSQL file,
 * driven over loopback by a load generator that behaves like devices (one seq counter per device,
 * batches of windows, a fixed number of requests in flight). Figures: verdict windows stored per
 * second, request latency p50/p99, and resident memory while loaded, for 10 and 1,000 devices.
 *
 * The generator runs in the same process as the server, so throughput is a lower bound for a
 * dedicated server process and memory includes the generator's (small) share.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createProgress } from '../cli/progress.ts';
import { loadConfig } from '../cloud/src/config.ts';
import { createOrg, registerDevice } from '../cloud/src/fleet/registry.ts';
import { silentLogger } from '../cloud/src/log.ts';
import { REPO_ROOT } from '../cloud/src/models/registry.ts';
import { ThreadedEnsemble } from '../cloud/src/rescore/threaded-ensemble.ts';
import { startServer } from '../cloud/src/server.ts';
import { renderClip, sampleMachine } from '../edge-model/src/synth/index.ts';
import { type BenchFigure, median } from './types.ts';

export interface LoadResult {
  devices: number;
  requests: number;
  windows: number;
  seconds: number;
  windowsPerS: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  errors: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** One load run against a fresh server and database. */
export async function loadRun(opts: {
  devices: number;
  seconds: number;
  concurrency: number;
  windowsPerBatch: number;
  synchronous?: 'full' | 'normal';
}): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-bench-cloud-'));
  const config = loadConfig(
    {},
    {
      PORT: 0,
      DATABASE_URL: `file:${path.join(dir, 'bench.db')}`,
      DATA_DIR: dir,
      MODEL_DIR: path.join(dir, 'none'),
      LOG_REQUESTS: false,
      DEVICE_RATE_BURST: 1_000_000,
      DEVICE_RATE_PER_S: 1_000_000,
      DB_SYNCHRONOUS: opts.synchronous ?? 'full',
    },
  );
  const server = await startServer({
    config,
    logger: silentLogger,
    ensembleLoader: async () => Promise.reject(new Error('not used')),
  });
  try {
    const orgId = await createOrg(server.ctx.db, 'Bench');
    const fleet: { id: string; token: string; seq: number }[] = [];
    for (let i = 0; i < opts.devices; i++) {
      const { device, token } = await registerDevice(server.ctx.db, orgId, {
        name: `d${i}`,
        siteName: `site ${i % 20}`,
        machineName: `m${i}`,
        compressorType: 'scroll',
      });
      fleet.push({ id: device.id, token, seq: 0 });
    }
    const latencies: number[] = [];
    let windows = 0;
    let errors = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const t0 = Date.now();
    let deadline = Number.POSITIVE_INFINITY;
    // like real devices, each has at most one request in flight: worker k owns devices k, k+C, …
    const concurrency = Math.min(opts.concurrency, fleet.length);
    const worker = async (k: number, once = false) => {
      const mine = fleet.filter((_, i) => i % concurrency === k);
      for (let n = 0; once ? n < mine.length : performance.now() < deadline; n++) {
        const d = mine[n % mine.length];
        const seq = ++d.seq;
        const body = JSON.stringify({
          v: 1,
          deviceId: d.id,
          bootId: 'b0b0b0b0',
          seq,
          modelSha256: 'a'.repeat(64),
          windows: Array.from({ length: opts.windowsPerBatch }, (_, i) => ({
            t: t0 + seq * 10_000 + i * 1000,
            score: 0.3 + ((seq + i) % 7) / 20,
            state: 'normal',
            levelDb: -40,
          })),
        });
        const started = performance.now();
        const res = await fetch(`${server.url}/api/v1/device/verdicts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        if (res.status === 200) windows += opts.windowsPerBatch;
        else errors++;
      }
    };
    const warm = (k: number) => worker(k, true);
    // warm-up: every device's first contact (online transition, new boot row) is not steady state
    await Promise.all(Array.from({ length: concurrency }, (_, k) => warm(k)));
    latencies.length = 0;
    windows = 0;
    const began = performance.now();
    deadline = began + opts.seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, (_, k) => worker(k)));
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    latencies.sort((a, b) => a - b);
    return {
      devices: opts.devices,
      requests: latencies.length,
      windows,
      seconds,
      windowsPerS: windows / seconds,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      peakRssMb: peakRss / 2 ** 20,
      errors,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const runs = 3;
  const seconds = quick ? 1 : 5;
  const progress = createProgress('cloud ingestion bench');
  const figures: BenchFigure[] = [];
  const fleets = [10, 1000];
  let done = 0;
  for (const devices of fleets) {
    const results: LoadResult[] = [];
    for (let r = 0; r < runs; r++) {
      results.push(await loadRun({ devices, seconds, concurrency: 16, windowsPerBatch: 6 }));
      progress.update(++done, fleets.length * runs, `${devices} devices`);
    }
    const detail = { runs: results, concurrency: 16, windowsPerBatch: 6, secondsPerRun: seconds };
    const m = (f: (x: LoadResult) => number) => median(results.map(f));
    figures.push(
      {
        id: `cloud.ingest_windows_per_s_${devices}dev`,
        label: `Cloud ingestion, ${devices} devices (verdict windows/s)`,
        value: m((x) => x.windowsPerS),
        unit: 'windows/s',
        runs,
        detail,
      },
      {
        id: `cloud.ingest_p50_ms_${devices}dev`,
        label: `Cloud ingestion p50 latency, ${devices} devices`,
        value: m((x) => x.p50Ms),
        unit: 'ms',
        runs,
      },
      {
        id: `cloud.ingest_p99_ms_${devices}dev`,
        label: `Cloud ingestion p99 latency, ${devices} devices`,
        value: m((x) => x.p99Ms),
        unit: 'ms',
        runs,
      },
      {
        id: `cloud.ingest_peak_rss_mb_${devices}dev`,
        label: `Cloud peak RSS under load, ${devices} devices (server + generator)`,
        value: m((x) => x.peakRssMb),
        unit: 'MB',
        runs,
      },
    );
  }
  // the same 10-device load with DB_SYNCHRONOUS=normal (survives a process crash, not a power cut)
  const normal: LoadResult[] = [];
  for (let r = 0; r < runs; r++)
    normal.push(await loadRun({ devices: 10, seconds, concurrency: 16, windowsPerBatch: 6, synchronous: 'normal' }));
  figures.push({
    id: 'cloud.ingest_windows_per_s_10dev_sync_normal',
    label: 'Cloud ingestion, 10 devices, DB_SYNCHRONOUS=normal (verdict windows/s)',
    value: median(normal.map((x) => x.windowsPerS)),
    unit: 'windows/s',
    runs,
    detail: { runs: normal },
  });
  const threaded = await threadedRescoreMs(quick ? 5 : 21);
  if (threaded) figures.push(threaded);
  progress.done();
  return figures;
}

/** Round trip of one 2 s clip through the re-scoring thread (copy in, score, verdict out). */
async function threadedRescoreMs(repeats: number): Promise<BenchFigure | null> {
  const dir = path.join(REPO_ROOT, 'models', 'ensemble');
  if (!existsSync(path.join(dir, 'ensemble.json'))) return null;
  const ens = await ThreadedEnsemble.load(dir);
  try {
    const pcm = renderClip({ machine: sampleMachine('bench/m0', 'm0'), seed: 'bench', durationS: 2, snrDb: 25, load: 0.7 }).pcm;
    await ens.rescore(pcm); // warm-up
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      await ens.rescore(pcm);
      times.push(performance.now() - t);
    }
    return {
      id: 'cloud.rescore_thread_ms_2s_clip',
      label: 'Cloud re-scoring of a 2 s clip through the worker thread',
      value: median(times),
      unit: 'ms',
      runs: repeats,
    };
  } finally {
    await ens.close();
  }
}
