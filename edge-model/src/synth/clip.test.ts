import { describe, expect, it } from 'vitest';
import { renderClip, synthesizeClip } from './clip.ts';
import { rms } from './dsp.ts';
import { FAULT_IDS, type FaultId } from './faults.ts';
import { rotationHz, sampleMachine } from './machine.ts';
import { bandEnvelope, bandPower, frameEnergies, longSpectrum, medianPower, peakPower } from './measure.ts';

const SR = 16000;
const DUR = 3;
const LOAD = 0.7;
// Two deliberately different machines: a 2-pole reciprocating on 60 Hz mains and a scroll on 50 Hz.
const MACHINES = [
  sampleMachine('test/recip', 'recip', { kind: 'reciprocating', mainsHz: 60 }),
  sampleMachine('test/scroll', 'scroll', { kind: 'scroll', mainsHz: 50 }),
];

const clip = (m: (typeof MACHINES)[number], fault: FaultId | null, severity = 1) =>
  synthesizeClip({ machine: m, seed: 7, durationS: DUR, load: LOAD, fault, severity });

describe('synthesizeClip determinism', () => {
  it('gives identical samples for the same spec and different ones for another seed or machine', () => {
    const m = MACHINES[0];
    const a = synthesizeClip({ machine: m, seed: 1, durationS: 1 });
    const b = synthesizeClip({
      machine: sampleMachine('test/recip', 'recip', { kind: 'reciprocating', mainsHz: 60 }),
      seed: 1,
      durationS: 1,
    });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const c = synthesizeClip({ machine: m, seed: 2, durationS: 1 });
    const d = synthesizeClip({ machine: sampleMachine('test/other', 'other'), seed: 1, durationS: 1 });
    expect(rms(a.map((x, i) => x - c[i]) as Float32Array)).toBeGreaterThan(0.1 * rms(a));
    expect(rms(a.map((x, i) => x - d[i]) as Float32Array)).toBeGreaterThan(0.1 * rms(a));
  });

  it('returns 16 kHz mono in [-1, 1] of the requested length, and severity 0 is the healthy clip', () => {
    const m = MACHINES[1];
    const { pcm, info } = renderClip({ machine: m, seed: 3, durationS: 0.5, fault: 'bearing', severity: 0 });
    expect(pcm.length).toBe(8000);
    expect(pcm.every((x) => Math.abs(x) <= 1)).toBe(true);
    expect(info.severity).toBe(0);
    const healthy = synthesizeClip({ machine: m, seed: 3, durationS: 0.5 });
    expect(Buffer.from(pcm.buffer).equals(Buffer.from(healthy.buffer))).toBe(true);
  });

  it('rejects bad specs with a message naming the field', () => {
    const m = MACHINES[0];
    expect(() => synthesizeClip({ machine: m, seed: 1, durationS: 0 })).toThrow(/durationS/);
    expect(() => synthesizeClip({ machine: m, seed: 1, fault: 'bearing', severity: 2 })).toThrow(/severity/);
    expect(() => synthesizeClip({ machine: m, seed: 1, fault: 'nope' as FaultId })).toThrow(/unknown fault "nope"/);
    expect(() => synthesizeClip({ machine: m, seed: 1, load: -1 })).toThrow(/load/);
  });
});

describe('machine-to-machine variation', () => {
  it('draws different rotation speeds, cylinder counts and levels across machines', () => {
    const ms = Array.from({ length: 12 }, (_, i) => sampleMachine(`var/${i}`));
    expect(new Set(ms.map((m) => m.kind)).size).toBe(2);
    expect(new Set(ms.map((m) => m.mainsHz)).size).toBe(2);
    const speeds = ms.map((m) => rotationHz(m, 0.7));
    expect(Math.max(...speeds) - Math.min(...speeds)).toBeGreaterThan(15);
    const levels = ms.map((m) => m.levelDb);
    expect(Math.max(...levels) - Math.min(...levels)).toBeGreaterThan(4);
    const tilts = ms.map((m) => m.micTiltDb);
    expect(Math.max(...tilts) - Math.min(...tilts)).toBeGreaterThan(2);
  });
});

/** Ratio of a feature on the faulty clip to the same machine and seed without the fault. */
function shift(feature: (x: Float32Array, m: (typeof MACHINES)[number]) => number, fault: FaultId, severity = 1): number[] {
  return MACHINES.map((m) => feature(clip(m, fault, severity), m) / feature(clip(m, null), m));
}

describe('each fault measurably shifts the physics it models', () => {
  it('bearing: envelope spectrum of the housing resonance peaks at the defect frequency (BPFO)', () => {
    const f = (x: Float32Array, m: (typeof MACHINES)[number]) => {
      const env = longSpectrum(bandEnvelope(x, m.bearingResonance * 0.85, m.bearingResonance * 1.15, SR), SR);
      return peakPower(env, rotationHz(m, LOAD) * m.bpfoFactor) / medianPower(env, 5, 400);
    };
    for (const r of shift(f, 'bearing')) expect(r).toBeGreaterThan(4);
  });

  it('valve-leak: raises the share of energy above 4 kHz', () => {
    const f = (x: Float32Array) => {
      const s = longSpectrum(x, SR);
      return bandPower(s, 4000, 8000) / bandPower(s, 0, 8000);
    };
    for (const r of shift(f, 'valve-leak')) expect(r).toBeGreaterThan(2);
  });

  it('loose-mount: adds a half-order sub-harmonic at rotation/2', () => {
    const f = (x: Float32Array, m: (typeof MACHINES)[number]) => {
      const s = longSpectrum(x, SR);
      const fr = rotationHz(m, LOAD);
      return peakPower(s, fr / 2) / medianPower(s, fr * 0.3, fr * 0.7);
    };
    for (const r of shift(f, 'loose-mount')) expect(r).toBeGreaterThan(10);
  });

  it('slugging: heavy low-frequency knocks raise the peak-to-median frame energy below 400 Hz', () => {
    const f = (x: Float32Array) => {
      const e = [...frameEnergies(x, 512, 40, 400, SR)].sort((a, b) => a - b);
      return e[e.length - 1] / e[e.length >> 1];
    };
    for (const r of shift(f, 'slugging')) expect(r).toBeGreaterThan(2);
  });

  it('electrical: the 2×mains hum (100/120 Hz) grows relative to the rest of the low band', () => {
    const f = (x: Float32Array, m: (typeof MACHINES)[number]) => {
      const s = longSpectrum(x, SR);
      return peakPower(s, 2 * m.mainsHz, 0.005) / bandPower(s, 20, 1000);
    };
    for (const r of shift(f, 'electrical')) expect(r).toBeGreaterThan(1.5);
  });

  it('starvation: short cycling leaves near-silent frames and the spectrum tilts upward', () => {
    const quietest = (x: Float32Array) => {
      const e = [...frameEnergies(x, 512, 40, 4000, SR)].sort((a, b) => a - b);
      return e[0] / e[e.length >> 1];
    };
    for (const r of shift(quietest, 'starvation')) expect(r).toBeLessThan(0.2);
    const tilt = (x: Float32Array) => {
      const s = longSpectrum(x, SR);
      return bandPower(s, 1500, 8000) / bandPower(s, 0, 1500);
    };
    for (const r of shift(tilt, 'starvation', 1)) expect(r).toBeGreaterThan(1.5);
  });

  it('is subtle at low severity: at 0.2 no fault moves the level by more than 0.5 dB', () => {
    for (const fault of FAULT_IDS) {
      for (const m of MACHINES) {
        const db = 20 * Math.log10(rms(clip(m, fault, 0.2)) / rms(clip(m, null)));
        expect(Math.abs(db), `${fault} on ${m.id}`).toBeLessThan(0.5);
      }
    }
  });
});
