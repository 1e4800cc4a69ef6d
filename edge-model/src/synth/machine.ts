/**
 * A compressor's identity: the fixed physical parameters that make one machine sound different
 * from another of the same kind (motor poles and slip, cylinder count, harmonic balance, the
 * structural modes its valve impacts ring, where the microphone sits). Normal operation is a
 * distribution over machines AND over operating states; this file is the machine half.
 */
import { Rng } from './prng.ts';

export type CompressorKind = 'reciprocating' | 'scroll';

/** A structural mode excited by impacts: centre frequency (Hz), quality factor, linear gain. */
export interface Resonance {
  readonly freq: number;
  readonly q: number;
  readonly gain: number;
}

export interface MachineParams {
  readonly id: string;
  readonly kind: CompressorKind;
  /** Mains frequency; the motor's magnetic hum sits at twice this. Korea and the Americas use 60 Hz. */
  readonly mainsHz: 50 | 60;
  /** Motor poles: rotation ≈ 2·mains/poles·(1 − slip), i.e. 24–29 Hz (4-pole) or 48–59 Hz (2-pole). */
  readonly poles: 2 | 4;
  /** Induction-motor slip at full load (0.02–0.05); slip, and so speed, follows the load. */
  readonly ratedSlip: number;
  /** Cylinders (reciprocating: 1–4, each with a discharge and a suction valve event per turn); 1 for scroll. */
  readonly cylinders: number;
  /** Where in the turn a cylinder's suction valve closes, relative to its discharge event (0.3–0.6). */
  readonly suctionPhase: number;
  /** Relative amplitudes of the rotation harmonics 1..N (unbalance, gas pulsation, piston forces). */
  readonly harmonics: readonly number[];
  readonly harmonicPhases: readonly number[];
  /** Level (dB, relative to the harmonics) of the 2×mains magnetic hum. */
  readonly humDb: number;
  /** Level (dB) of the valve/piston impacts (reciprocating) or of the orbiting-scroll pocket ticks. */
  readonly impactDb: number;
  /** Structural modes the impacts ring. */
  readonly resonances: readonly Resonance[];
  /** Level (dB) of refrigerant flow noise and its band. */
  readonly flowDb: number;
  readonly flowLo: number;
  readonly flowHi: number;
  /** How strongly the flow noise pulsates with the cylinder strokes (0..1). */
  readonly flowPulsation: number;
  /** Bearing outer-race defect frequency as a multiple of the rotation (≈0.4·balls: 3.0–5.2). */
  readonly bpfoFactor: number;
  /** The bearing housing resonance a defect's impacts ring (Hz). */
  readonly bearingResonance: number;
  /** The mounting frame's resonance a loose foot rattles (Hz). */
  readonly mountResonance: number;
  /** Microphone placement: this machine's level offset in dB. */
  readonly levelDb: number;
  /** The site microphone's low-frequency corner (MEMS mics roll off below 20–90 Hz). */
  readonly micHighpassHz: number;
  /** The site microphone's treble tilt: a high shelf at 1 kHz of ±3 dB (capsule, port, enclosure). */
  readonly micTiltDb: number;
}

const MAX_HARMONIC_HZ = 1600;

/**
 * Draws a machine. `key` is any string (e.g. "seed1/m03"); the same key always gives the same
 * machine. `overrides` pins any parameter (the simulator fixes kind or mains, tests fix more).
 */
export function sampleMachine(key: string, id = key, overrides: Partial<MachineParams> = {}): MachineParams {
  const rng = new Rng(`machine:${key}`);
  const kind: CompressorKind = overrides.kind ?? (rng.chance(0.6) ? 'reciprocating' : 'scroll');
  const mainsHz = overrides.mainsHz ?? (rng.chance(0.7) ? 60 : 50);
  const poles = overrides.poles ?? (kind === 'scroll' ? 2 : rng.chance(0.5) ? 2 : 4);
  const ratedSlip = rng.uniform(0.02, 0.05);
  const cylinders = kind === 'reciprocating' ? rng.int(1, 4) : 1;
  const rotation = ((2 * mainsHz) / poles) * (1 - ratedSlip);
  const nHarm = Math.max(8, Math.min(48, Math.floor(MAX_HARMONIC_HZ / rotation)));
  // Reciprocating machines have rich harmonic series (piston forces are far from sinusoidal) with
  // peaks at multiples of the cylinder count; scrolls are smoother and roll off faster.
  const rolloff = kind === 'reciprocating' ? rng.uniform(0.7, 1.3) : rng.uniform(1.4, 2.1);
  const harmonics: number[] = [];
  const harmonicPhases: number[] = [];
  for (let h = 1; h <= nHarm; h++) {
    let a = h ** -rolloff * 10 ** ((rng.gauss() * 4) / 20);
    if (kind === 'reciprocating' && cylinders > 1 && h % cylinders === 0) a *= 1.8;
    harmonics.push(a);
    harmonicPhases.push(rng.uniform(0, 2 * Math.PI));
  }
  const nRes = rng.int(3, 5);
  const resonances: Resonance[] = [];
  for (let i = 0; i < nRes; i++) {
    resonances.push({ freq: rng.logUniform(180, 4500), q: rng.logUniform(4, 30), gain: rng.logUniform(0.4, 1.6) });
  }
  const flowLo = rng.logUniform(120, 500);
  const base: MachineParams = {
    id,
    kind,
    mainsHz,
    poles,
    ratedSlip,
    cylinders,
    suctionPhase: rng.uniform(0.3, 0.6),
    harmonics,
    harmonicPhases,
    humDb: rng.uniform(-14, -3),
    impactDb: kind === 'reciprocating' ? rng.uniform(-6, 2) : rng.uniform(-22, -14),
    resonances,
    flowDb: rng.uniform(-10, -1),
    flowLo,
    flowHi: Math.min(7000, flowLo * rng.logUniform(6, 20)),
    flowPulsation: kind === 'reciprocating' ? rng.uniform(0.3, 0.8) : rng.uniform(0.05, 0.2),
    bpfoFactor: 0.4 * rng.int(8, 13) * rng.uniform(0.97, 1.0),
    bearingResonance: rng.logUniform(2500, 5500),
    mountResonance: rng.logUniform(150, 600),
    levelDb: rng.uniform(-6, 6),
    // Drawn last so adding them left every earlier parameter of existing seeds unchanged.
    micHighpassHz: rng.logUniform(20, 90),
    micTiltDb: rng.uniform(-3, 3),
  };
  return { ...base, ...overrides, id: overrides.id ?? id };
}

/** Rotation frequency (Hz) at a load in [0, 1]: slip grows roughly linearly with load. */
export function rotationHz(m: MachineParams, load: number): number {
  const slip = m.ratedSlip * (0.25 + 0.75 * load);
  return ((2 * m.mainsHz) / m.poles) * (1 - slip);
}
