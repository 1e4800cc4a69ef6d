/**
 * The evaluation contract every scorer plugs into: the foundation's baseline, the edge model
 * (float and int8) and the cloud ensemble are all compared on the same clips this way.
 */
export type ClipLabel = 'normal' | 'anomaly';

export interface Clip {
  /** Path of the source file (for error messages and reports). */
  readonly path: string;
  readonly label: ClipLabel;
  /** Fault type for anomalies when the layout names it (e.g. "bearing"), else undefined. */
  readonly fault?: string;
  /** Mono PCM in [-1, 1] at FRONTEND.sampleRate (16 kHz). */
  readonly pcm: Float32Array;
  /** "train" or "test" when the layout says so (a train/ or test/ folder, or a DCASE file name). */
  readonly split?: 'train' | 'test';
  /** Machine or section id when the layout names one (e.g. "m03", "section_00", "id_02"). */
  readonly machine?: string;
}

/** Higher score = more anomalous. */
export interface Scorer {
  readonly name: string;
  scoreClip(clip: Clip): number | Promise<number>;
}
