/**
 * The host build of the device firmware (signalcraft-device) end to end, from TypeScript:
 *  - its protocol messages validate against the cloud's zod schemas (contract E),
 *  - its ADPCM clips decode with the cloud's decoder to the audio that was played,
 *  - a real cloud (Hono + libSQL) accepts and stores what it sends,
 *  - while the cloud is failing it keeps everything in the outbox and delivers each message
 *    exactly once later, across a restart,
 *  - with the exported model, a synthetic normal clip stays normal and a faulty one alarms.
 * The binary is built by `npm test` (ctest step); when run alone, this file builds it first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { verdictWindows } from '../../../cloud/src/db/schema.ts';
import { decodeClipAudio } from '../../../cloud/src/protocol/clip-audio.ts';
import { clipUpload, heartbeat, verdictBatch } from '../../../cloud/src/protocol/schemas.ts';
import { encodeWav } from '../../../edge-model/src/audio/wav.ts';
import { sampleMachine, synthesizeClip } from '../../../edge-model/src/synth/index.ts';
import { startTestServer, type TestServer } from '../../../cloud/src/testing/harness.ts';

const HOST_DIR = path.dirname(new URL(import.meta.url).pathname);
const BUILD = path.join(HOST_DIR, 'build');
const BIN = path.join(BUILD, 'signalcraft-device');
const START_MS = 1_780_000_000_000;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: any[];
}

function run(args: string[], input?: Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        lines: stdout
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l)),
      }),
    );
    p.stdin.end(input);
  });
}

function wavFile(dir: string, name: string, pcm: Float32Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, encodeWav({ sampleRate: 16000, channels: [pcm], format: 'pcm16' }));
  return file;
}

function kindOf(m: any): 'verdicts' | 'clip' | 'heartbeat' {
  if ('windows' in m) return 'verdicts';
  if ('audio' in m) return 'clip';
  return 'heartbeat';
}

let tmp: string;
let info: { model: string; alert: number; borderlineLow: number; windowFrames: number; inputSpanFrames: number };
// Whole windows the device scores in `seconds` of audio: one model input per log-mel frame once
// inputSpanFrames frames exist (5 for poolFrames 1; 32 for the pooled default model).
const windowsIn = (seconds: number) => {
  const frames = 1 + Math.floor((seconds * 16000 - 1024) / 512);
  return Math.floor((frames - info.inputSpanFrames + 1) / info.windowFrames);
};
// A machine of the default model's training set (synth seed 1, machine m0): the card's thresholds
// are calibrated for it. (Unseen machines rely on baseline learning, tested in C++.)
const machine = sampleMachine('1/m0', 'm0');
let normalPcm: Float32Array;

beforeAll(() => {
  if (!existsSync(BIN)) {
    for (const args of [
      ['-S', HOST_DIR, '-B', BUILD, '-DCMAKE_BUILD_TYPE=Release'],
      ['--build', BUILD, '-j', '2', '--target', 'signalcraft-device'],
    ]) {
      const r = spawnSync('cmake', args, { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed`);
    }
  }
  tmp = mkdtempSync(path.join(tmpdir(), 'sc-fw-'));
  info = JSON.parse(spawnSync(BIN, ['--info'], { encoding: 'utf8' }).stdout);
  normalPcm = synthesizeClip({ machine, seed: 'normal-1', durationS: 12 });
}, 300_000);

describe('signalcraft-device protocol output', () => {
  it('prints verdict batches, clips and a heartbeat that validate against the cloud schema', async () => {
    const wav = wavFile(tmp, 'normal.wav', normalPcm);
    const r = await run([
      '--wav', wav, '--outbox', path.join(tmp, 'ob-schema'), '--device-id', 'dev_fw_test', '--boot-id', 'a1b2c3d4e5f60718',
      '--start-ms', String(START_MS), '--learning-windows', '0', '--batch-windows', '7',
      '--clip-band', '0,1000000', '--clip-interval-s', '4', '--clip-pre-s', '2', '--clip-post-s', '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const byKind = { verdicts: [] as any[], clip: [] as any[], heartbeat: [] as any[] };
    for (const m of r.lines) byKind[kindOf(m)].push(m);
    for (const m of byKind.verdicts) expect(verdictBatch.safeParse(m).error?.issues ?? []).toEqual([]);
    for (const m of byKind.clip) expect(clipUpload.safeParse(m).error?.issues ?? []).toEqual([]);
    expect(byKind.heartbeat).toHaveLength(1);
    expect(heartbeat.safeParse(byKind.heartbeat[0]).error?.issues ?? []).toEqual([]);
    expect(byKind.verdicts.length).toBeGreaterThanOrEqual(2);
    expect(byKind.clip.length).toBeGreaterThanOrEqual(2);

    // One seq counter over verdict batches and clips, from 1, no gaps; the heartbeat echoes it.
    const seqs = [...byKind.verdicts, ...byKind.clip].map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(byKind.heartbeat[0].lastSeq).toBe(seqs.length);
    // Windows tile the audio: ~12 s of windows of windowFrames hops each.
    const windows = byKind.verdicts.flatMap((m) => m.windows);
    const windowMs = (info.windowFrames * 512 * 1000) / 16000;
    expect(windows.length).toBe(windowsIn(12));
    for (let i = 1; i < windows.length; i++) expect(windows[i].t - windows[i - 1].t).toBeCloseTo(windowMs, -1);
  });

  it('clips decode with the cloud decoder to the audio that was played at their start time', async () => {
    const wav = wavFile(tmp, 'normal2.wav', normalPcm);
    const r = await run([
      '--wav', wav, '--outbox', path.join(tmp, 'ob-clip'), '--start-ms', String(START_MS), '--learning-windows', '0',
      '--clip-band', '0,1000000', '--clip-interval-s', '100', '--clip-pre-s', '3', '--clip-post-s', '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const clip = r.lines.find((m) => kindOf(m) === 'clip');
    expect(clip).toBeDefined();
    const decoded = decodeClipAudio(clipUpload.parse(clip));
    expect(decoded.length).toBe(clip.samples);
    const start = Math.round(((clip.t - START_MS) * 16000) / 1000);
    let sig = 0;
    let err = 0;
    for (let i = 0; i < decoded.length; i++) {
      const want = Math.max(-32768, Math.min(32767, Math.round(normalPcm[start + i] * 32768)));
      sig += want * want;
      err += (want - decoded[i]) ** 2;
    }
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(15);
  });

  it('rejects bad input with a clear message', async () => {
    const bad = path.join(tmp, 'bad.wav');
    writeFileSync(bad, 'RIFF....WAVEjunk');
    let r = await run(['--wav', bad, '--outbox', path.join(tmp, 'ob-bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.wav: no fmt chunk/);
    const wrongRate = path.join(tmp, '8k.wav');
    writeFileSync(wrongRate, encodeWav({ sampleRate: 8000, channels: [new Float32Array(8000)], format: 'pcm16' }));
    r = await run(['--wav', wrongRate, '--outbox', path.join(tmp, 'ob-bad')]);
    expect(r.stderr).toMatch(/8000 Hz.*resample/);
    r = await run(['--wav', wrongRate, '--outbox', path.join(tmp, 'ob-bad'), '--batch-windows', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch-windows must be a number in 1/);
    r = await run(['--stdin', '--outbox', path.join(tmp, 'ob-bad'), '--card', path.join(HOST_DIR, 'tests/fixtures/tiny')]);
    if (info.model !== 'fixture-tiny') {
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/card\.json is for model 1ffb4a4bcc5b/);
    }
    r = await run(['--stdin', '--outbox', path.join(tmp, 'ob-bad'), '--device-id', 'bad id!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/device id 'bad id!'/);
  });

  it('reads raw int16 PCM from stdin like a WAV file', async () => {
    const pcm = Buffer.alloc(normalPcm.length * 2);
    for (let i = 0; i < normalPcm.length; i++) pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(normalPcm[i] * 32768))), i * 2);
    const a = await run(['--stdin', '--outbox', path.join(tmp, 'ob-stdin'), '--start-ms', String(START_MS), '--learning-windows', '0', '--boot-id', 'abcdef12', '--no-clips'], pcm);
    const b = await run(['--wav', wavFile(tmp, 'n3.wav', normalPcm), '--outbox', path.join(tmp, 'ob-wav'), '--start-ms', String(START_MS), '--learning-windows', '0', '--boot-id', 'abcdef12', '--no-clips']);
    const strip = (lines: any[]) => lines.filter((m) => kindOf(m) === 'verdicts').map(({ sentAt: _s, ...m }) => m);
    expect(strip(a.lines)).toEqual(strip(b.lines));
  });
});

describe('signalcraft-device uplink over HTTP', () => {
  let server: Server;
  let url: string;
  let failNext = 0;
  const received = new Map<string, any>();
  let requests = 0;

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (req.headers.authorization !== 'Bearer tok-1') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized","message":"bad token"}}');
        return;
      }
      if (failNext > 0) {
        failNext--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"try later"}}');
        return;
      }
      const schema = req.url === '/api/v1/device/clips' ? clipUpload : req.url === '/api/v1/device/verdicts' ? verdictBatch : heartbeat;
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'schema', message: parsed.error.message } }));
        return;
      }
      if (req.url === '/api/v1/device/heartbeat') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, serverTime: Date.now(), config: { cadenceS: 60, thresholds: { alert: 1, borderlineLow: 0.8 }, model: null } }));
        return;
      }
      const key = `${body.bootId}/${body.seq}`;
      const duplicate = received.has(key);
      received.set(key, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ack: { bootId: body.bootId, seq: body.seq }, duplicate, serverTime: Date.now() }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps messages through a failing cloud and a restart, then delivers each exactly once', async () => {
    const outbox = path.join(tmp, 'ob-http');
    const wav = wavFile(tmp, 'n4.wav', normalPcm);
    const common = ['--wav', wav, '--outbox', outbox, '--device-id', 'dev_http', '--start-ms', String(START_MS), '--learning-windows', '0', '--batch-windows', '4', '--no-clips', '--token', 'tok-1'];
    // Boot 1: the cloud answers 503 to everything: nothing is lost, all stays queued.
    failNext = 1_000_000;
    const r1 = await run([...common, '--url', url, '--boot-id', 'b0000001']);
    expect(r1.code, r1.stderr).toBe(0);
    const pending1 = Number(/pending (\d+)/.exec(r1.stderr)?.[1]);
    expect(pending1).toBeGreaterThan(2);
    expect(received.size).toBe(0);
    // Boot 2: the cloud recovers after two more failures; boot 1's queue goes first.
    failNext = 2;
    const r2 = await run([...common, '--url', url, '--boot-id', 'b0000002']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/pending 0/);
    const boot1 = [...received.values()].filter((m) => m.bootId === 'b0000001').map((m) => m.seq);
    const boot2 = [...received.values()].filter((m) => m.bootId === 'b0000002').map((m) => m.seq);
    expect(boot1.sort((a, b) => a - b)).toEqual(Array.from({ length: pending1 }, (_, i) => i + 1));
    // Boot 2's own messages (its verdict changes may batch differently from boot 1's) all arrive too.
    const last2 = Number(/last seq (\d+)/.exec(r2.stderr)?.[1]);
    expect(last2).toBeGreaterThan(0);
    expect(boot2.sort((a, b) => a - b)).toEqual(Array.from({ length: last2 }, (_, i) => i + 1));
    expect(requests).toBeGreaterThan(received.size);
  });

  it('SIGKILLed mid-run, the device resends after restart: no seq of the killed boot is lost', async () => {
    const outbox = path.join(tmp, 'ob-kill');
    const wav = wavFile(tmp, 'n6.wav', normalPcm);
    const before = new Set(received.keys());
    failNext = 0;
    // --realtime makes the run last ~12 s; kill it after ~4 s, mid-stream.
    const p = spawn(BIN, ['--wav', wav, '--outbox', outbox, '--device-id', 'dev_kill', '--boot-id', 'c0ffee01', '--learning-windows', '0', '--batch-windows', '1', '--no-clips', '--token', 'tok-1', '--url', url, '--realtime'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 4000));
    p.kill('SIGKILL');
    await new Promise((r) => p.on('close', r));
    const firstRun = [...received.values()].filter((m) => m.bootId === 'c0ffee01').length;
    expect(firstRun).toBeGreaterThan(0);
    // Reboot with nothing new to say: whatever was queued but unacknowledged goes out now.
    const r = await run(['--stdin', '--outbox', outbox, '--device-id', 'dev_kill', '--boot-id', 'c0ffee02', '--token', 'tok-1', '--url', url]);
    expect(r.stderr).toMatch(/pending 0/);
    const seqs = [...received.entries()].filter(([k, m]) => !before.has(k) && m.bootId === 'c0ffee01').map(([, m]) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 30_000);

  it('a refused token stops sending, keeps the outbox and exits 4', async () => {
    const before = received.size;
    const r = await run(['--wav', wavFile(tmp, 'n5.wav', normalPcm.subarray(0, 16000 * 4)), '--outbox', path.join(tmp, 'ob-401'), '--device-id', 'dev_http', '--learning-windows', '0', '--batch-windows', '2', '--no-clips', '--url', url, '--token', 'wrong']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refused the device token/);
    expect(received.size).toBe(before);
  });
});

describe('signalcraft-device against the real cloud (Hono + libSQL)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DEVICE_RATE_BURST: 1000 });
  });
  afterAll(() => s?.dispose());

  // Clips are left out here: the cloud's re-scoring of a clip currently races verdict ingest
  // (SQLITE_BUSY -> HTTP 500, reported to the cloud owner); clip messages are checked against the
  // cloud's schema and decoder above.
  it('the cloud stores every window the device sends', async () => {
    const dev = await s.addDevice();
    const r = await run([
      '--wav', wavFile(tmp, 'cloud.wav', normalPcm), '--outbox', path.join(tmp, 'ob-cloud'), '--device-id', dev.deviceId,
      '--token', dev.token, '--url', s.url, '--start-ms', String(Date.now() - 60_000), '--learning-windows', '0',
      '--batch-windows', '10', '--no-clips',
    ]);
    expect(r.code, r.stderr).toBe(0);
    if (!/pending 0/.test(r.stderr)) {
      // A transient 5xx (the cloud's background workers can hit SQLITE_BUSY) leaves messages in
      // the outbox; the next boot delivers them, as on a real device.
      await s.settle();
      const again = await run(['--stdin', '--outbox', path.join(tmp, 'ob-cloud'), '--device-id', dev.deviceId, '--token', dev.token, '--url', s.url]);
      expect(again.stderr, again.stderr).toMatch(/pending 0/);
    }
    await s.settle();
    const sent = Number(/(\d+) windows/.exec(r.stderr)?.[1]);
    expect(sent).toBe(windowsIn(12));
    const rows = await s.ctx.db.select().from(verdictWindows).where(eq(verdictWindows.deviceId, dev.deviceId));
    expect(rows.length).toBe(sent);
  });

  it('the cloud refuses a device id that is not the token owner, and the device keeps its data', async () => {
    const dev = await s.addDevice();
    const r = await run([
      '--wav', wavFile(tmp, 'cloud2.wav', normalPcm.subarray(0, 16000 * 5)), '--outbox', path.join(tmp, 'ob-cloud2'),
      '--device-id', 'someone_else', '--token', dev.token, '--url', s.url, '--learning-windows', '0', '--batch-windows', '2', '--no-clips',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/pending [1-9]/);
  });
});

describe('signalcraft-device verdicts on synthetic compressors (exported model)', () => {
  it('a normal clip stays normal; a faulty clip of the same machine alarms', async (ctx) => {
    if (info.model === 'fixture-tiny') ctx.skip();
    const args = (name: string, pcm: Float32Array) => [
      '--wav', wavFile(tmp, name, pcm), '--outbox', path.join(tmp, `ob-${name}`), '--learning-windows', '0',
      '--batch-windows', '120', '--no-clips', '--start-ms', String(START_MS),
    ];
    const healthy = synthesizeClip({ machine, seed: 'verdict-normal', durationS: 20 });
    const faulty = synthesizeClip({ machine, seed: 'verdict-fault', durationS: 20, fault: 'bearing', severity: 0.9 });
    const a = await run(args('healthy.wav', healthy));
    const b = await run(args('faulty.wav', faulty));
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const states = (r: RunResult) => r.lines.filter((m) => kindOf(m) === 'verdicts').flatMap((m) => m.windows.map((w: any) => w.state));
    const scores = (r: RunResult) => r.lines.filter((m) => kindOf(m) === 'verdicts').flatMap((m) => m.windows.map((w: any) => w.score));
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    expect(states(a)).not.toContain('alarm');
    expect(states(b)).toContain('alarm');
    expect(mean(scores(b))).toBeGreaterThan(mean(scores(a)));
    console.log(`edge verdicts: healthy mean score ${mean(scores(a)).toFixed(3)} (${states(a).at(-1)}), faulty ${mean(scores(b)).toFixed(3)} (${states(b).at(-1)})`);
  });
});
