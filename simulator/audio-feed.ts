/**
 * Endless compressor audio for one simulated device, rendered segment by segment with the synthetic
 * generator. The operating load drifts between segments, and consecutive segments are cross-faded so
 * the joins don't click (a click would be an anomaly the real machine never made).
 */

import { FRONTEND } from '../edge-model/src/frontend/config.ts';
import { synthesizeClip } from '../edge-model/src/synth/index.ts';
import { type DevicePlan, severityAt } from './scenario.ts';

const FADE = Math.round(0.05 * FRONTEND.sampleRate);

export class AudioFeed {
  private segment = 0;
  private tail: Float32Array | null = null;
  private load: number;

  constructor(
    private readonly plan: DevicePlan,
    private readonly segmentS = 10,
  ) {
    this.load = 0.5 + 0.1 * Math.sin(plan.index);
  }

  /** Seconds of audio produced so far. */
  get producedS(): number {
    return this.segment * this.segmentS;
  }

  /** The next `segmentS` seconds as int16 little-endian PCM (what the I2S driver would deliver). */
  next(): Buffer {
    const startS = this.producedS;
    const severity = severityAt(this.plan, startS + this.segmentS / 2);
    this.load = Math.min(0.95, Math.max(0.35, this.load + 0.05 * Math.sin(this.segment * 1.7 + this.plan.index)));
    const pcm = synthesizeClip({
      machine: this.plan.machine,
      seed: `${this.plan.seed}:${this.plan.index}:${this.segment}`,
      durationS: this.segmentS + FADE / FRONTEND.sampleRate,
      fault: severity > 0 ? this.plan.fault : null,
      severity,
      load: this.load,
      neighbours: false,
    });
    this.segment++;
    const out = Buffer.alloc(this.segmentS * FRONTEND.sampleRate * 2);
    const n = out.length / 2;
    for (let i = 0; i < n; i++) {
      let x = pcm[i];
      if (this.tail && i < FADE) {
        const w = i / FADE;
        x = x * w + this.tail[i] * (1 - w);
      }
      out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x * 32767))), i * 2);
    }
    this.tail = pcm.subarray(n, n + FADE);
    return out;
  }
}
