/**
 * What happens to each simulated compressor: which machine it is, whether and when a fault
 * develops (severity ramps from 0 to a final value, as wear does), and when its Wi-Fi drops.
 * Deterministic for a seed so a demo or a test run can be repeated.
 */
import { FAULT_IDS, type FaultId, type MachineParams, sampleMachine } from '../edge-model/src/synth/index.ts';

export interface Outage {
  readonly fromS: number;
  readonly toS: number;
}

export interface DevicePlan {
  readonly index: number;
  /** Fixes the audio's random choices (with the index). */
  readonly seed: number;
  readonly name: string;
  readonly machine: MachineParams;
  readonly compressorType: string;
  readonly location: string;
  readonly fault: FaultId | null;
  /** Seconds after start when the fault begins to be audible. */
  readonly onsetS: number;
  /** Seconds over which severity ramps from 0 to `finalSeverity`. */
  readonly rampS: number;
  readonly finalSeverity: number;
  readonly outages: readonly Outage[];
}

export interface FleetOptions {
  readonly devices: number;
  readonly seed: number;
  /** Seconds until the first fault starts (the demo wants an alarm within a minute). */
  readonly firstFaultS?: number;
  /** Whether one device loses Wi-Fi for a while (outbox replay). */
  readonly outage?: boolean;
}

const TRAINED_SET = 1;
const TRAINED_MACHINES = 4;
const SITES = ['Seoul Mart 냉동창고', 'Busan Cold Chain', 'Incheon Logistics', 'Daegu Fresh Foods'];
const KINDS: Record<MachineParams['kind'], string> = { reciprocating: 'reciprocating', scroll: 'scroll' };

/**
 * Device 0 develops a bearing fault early and hard (the demo's alarm); every third device
 * develops another fault later; one device has a Wi-Fi outage; the rest stay healthy.
 */
export function planFleet(opts: FleetOptions): DevicePlan[] {
  const first = opts.firstFaultS ?? 20;
  const plans: DevicePlan[] = [];
  for (let i = 0; i < opts.devices; i++) {
    // The default model was trained on the normal sound of synthetic set 1's four machines
    // (`signalcraft synth --seed 1`), as a technician trains on their own compressors; the fleet
    // runs those machines. Unseen machines rely on each device's baseline learning instead.
    const machine = sampleMachine(`${TRAINED_SET}/m${i % TRAINED_MACHINES}`, `m${String(i % TRAINED_MACHINES).padStart(2, '0')}`);
    let fault: FaultId | null = null;
    let onsetS = 0;
    let rampS = 0;
    let finalSeverity = 0;
    if (i === 0) {
      fault = 'bearing';
      onsetS = first;
      rampS = 10;
      finalSeverity = 0.9;
    } else if (i % 3 === 0) {
      fault = FAULT_IDS[(i / 3) % FAULT_IDS.length];
      onsetS = first + 60 * (i / 3);
      rampS = 60;
      finalSeverity = 0.8;
    }
    const outages = opts.outage && i === 1 ? [{ fromS: first + 10, toS: first + 40 }] : [];
    plans.push({
      index: i,
      seed: opts.seed,
      name: `Compressor ${String(i + 1).padStart(2, '0')}`,
      machine,
      compressorType: KINDS[machine.kind],
      location: SITES[i % SITES.length],
      fault,
      onsetS,
      rampS,
      finalSeverity,
      outages,
    });
  }
  return plans;
}

/** Fault severity at `tS` seconds after start. */
export function severityAt(plan: DevicePlan, tS: number): number {
  if (!plan.fault || tS < plan.onsetS) return 0;
  if (plan.rampS <= 0) return plan.finalSeverity;
  return Math.min(plan.finalSeverity, (plan.finalSeverity * (tS - plan.onsetS)) / plan.rampS);
}

export function inOutage(plan: DevicePlan, tS: number): boolean {
  return plan.outages.some((o) => tS >= o.fromS && tS < o.toS);
}
