/** What every detector sees of a clip: standardised features and the log-mel matrix. */
export interface ClipView {
  /** Standardised (z), clipped level-invariant features. */
  readonly z: Float64Array;
  /** Log-mel dB, frame-major [frames × nMels]. */
  readonly logmel: Float32Array;
  readonly frames: number;
  /** The clip itself (16 kHz), for members with their own front end (clip-stats, edge-model). */
  readonly pcm?: Float32Array;
}

/** A trained one-class detector: higher raw score = more anomalous. */
export interface Detector {
  readonly name: string;
  /** How the raw score is mapped before robust z calibration: 'log' for positive heavy-tailed scores. */
  readonly transform: 'log' | 'identity';
  score(view: ClipView): number;
  toJSON(): unknown;
}
