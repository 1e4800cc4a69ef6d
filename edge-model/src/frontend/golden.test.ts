import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FRONTEND } from './config.ts';
import { GOLDEN_POWER_REL_TOLERANCE, GOLDEN_TOLERANCE_DB, goldenCases, pcmToFloat, readGolden, writeGolden } from './golden.ts';
import { compareGolden, STALE_DB } from './golden-check.ts';
import { computeLogMel, powerSpectrum } from './logmel.ts';
import { computeLogMelF32, powerSpectrumF32 } from './logmel-f32.ts';

const COMMITTED = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../models/frontend-golden');
const tmp = mkdtempSync(join(tmpdir(), 'sc-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('golden vectors', () => {
  it('are written byte-identically on every run and read back as written', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const index = await writeGolden(a);
    await writeGolden(b);
    const files = readdirSync(a).sort();
    expect(files).toEqual(readdirSync(b).sort());
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    expect(index.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['silence', 'tone-1k', 'hum-50hz', 'white-noise', 'chirp', 'impulse-train']),
    );
    const { cases } = await readGolden(a);
    for (const c of cases) {
      const want = computeLogMel(pcmToFloat(c.pcm));
      expect(c.frames).toBe(want.frames);
      expect(c.features).toEqual(want.data);
    }
    const total = files.reduce((s, f) => s + readFileSync(join(a, f)).length, 0);
    expect(total).toBeLessThan(1024 * 1024);
  });

  it('the committed folder matches what the current front end computes (regenerate with `signalcraft golden`)', async () => {
    const report = await compareGolden(COMMITTED);
    expect(report.length).toBeGreaterThanOrEqual(6);
    expect(report.map((r) => r.name)).toEqual(expect.arrayContaining(['window', 'filterbank', 'power']));
    for (const r of report) expect(r, r.name).toMatchObject({ ok: true });
    for (const r of report.filter((x) => x.unit === 'dB')) expect(r.maxAbsDiff, r.name).toBeLessThan(STALE_DB);
  });

  it('detects stale or damaged vectors', async () => {
    const dir = join(tmp, 'stale');
    await writeGolden(dir);
    const f = join(dir, 'tone-1k.features.f32');
    const bytes = readFileSync(f);
    // A change of 0.01 dB: well inside the C++ tolerance, but the reference itself moved.
    bytes.writeFloatLE(bytes.readFloatLE(400) + 0.01, 400);
    writeFileSync(f, bytes);
    const report = await compareGolden(dir);
    expect(report.find((r) => r.name === 'tone-1k')).toMatchObject({ ok: false });
    expect(report.find((r) => r.name === 'silence')).toMatchObject({ ok: true });
    truncateSync(join(dir, 'chirp.pcm.i16'), 100);
    await expect(readGolden(dir)).rejects.toThrow(/chirp\.pcm\.i16: 100 bytes, expected 32000/);
  });

  it('a float32 implementation (emulated) meets the stated tolerance with margin; a wrong window does not', () => {
    for (const c of goldenCases()) {
      const x = pcmToFloat(c.pcm);
      const ref = computeLogMel(x).data;
      const f32 = computeLogMelF32(x).data;
      let max = 0;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - f32[i]));
      expect(max, c.name).toBeLessThan(GOLDEN_TOLERANCE_DB / 2);
      const frame = x.subarray(0, FRONTEND.frameLength);
      const p = powerSpectrum(frame);
      const p32 = powerSpectrumF32(frame);
      const peak = Math.max(...p);
      for (let k = 0; k < p.length; k++)
        expect(Math.abs(p[k] - p32[k]), c.name).toBeLessThanOrEqual((GOLDEN_POWER_REL_TOLERANCE * peak) / 10);
    }
    // The tolerance is tight enough to catch a classic porting slip: a symmetric Hann window.
    const tone = pcmToFloat(goldenCases().find((c) => c.name === 'tone-1k')!.pcm);
    const ref = computeLogMel(tone).data;
    const w = Float64Array.from({ length: 1024 }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 1023));
    const wp = Float64Array.from({ length: 1024 }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 1024));
    // Re-window so that the periodic window applied inside computeLogMel yields the symmetric one.
    const frame = tone.subarray(0, 1024).map((v, i) => (i === 0 ? 0 : (v * w[i]) / wp[i]));
    const wrong = computeLogMel(frame).data;
    let max = 0;
    for (let m = 0; m < FRONTEND.nMels; m++) max = Math.max(max, Math.abs(ref[m] - wrong[m]));
    expect(max).toBeGreaterThan(GOLDEN_TOLERANCE_DB);
  });
});
