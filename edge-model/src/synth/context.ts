/**
 * The per-clip operating state shared by the normal-sound renderer and the fault models: time
 * series of load, running state and shaft angle, plus gains a fault may change before the normal
 * sound is rendered (a starved machine pumps less gas; a motor with a winding fault hums harder).
 */
import type { MachineParams } from './machine.ts';

export interface ClipContext {
  readonly sampleRate: number;
  readonly n: number;
  readonly machine: MachineParams;
  /** Operating load 0..1 per sample (drifts slowly; may step when an unloader acts). */
  readonly load: Float32Array;
  /** 1 while the motor runs, 0 while stopped, ramps between (short cycling). */
  readonly run: Float32Array;
  /** Shaft angle in radians, the integral of the instantaneous rotation frequency. */
  phase: Float64Array;
  /** Instantaneous rotation frequency in Hz. */
  rotation: Float32Array;
  /** Multipliers faults may set before the normal sound is rendered. */
  harmonicGain: number;
  flowGain: number;
  impactGain: number;
  /** Optional per-sample multiplier of the 2×mains hum (electrical faults). */
  humEnvelope: Float32Array | null;
}
