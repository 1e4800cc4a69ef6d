/**
 * One benchmark figure. `npm run bench` collects these from every `bench/*.bench.ts` module
 * (each exports `run(): Promise<BenchFigure[]>`), prints a table and writes
 * `bench/results/<date>.json`. Every value is a median over `runs` repetitions.
 */
export interface BenchFigure {
  /** Stable id, e.g. "frontend.realtime_factor". */
  readonly id: string;
  /** Human label for the README table. */
  readonly label: string;
  /** The median. */
  readonly value: number;
  /** Unit, e.g. "x realtime", "ms", "verdicts/s", "MB". */
  readonly unit: string;
  /** Number of repetitions the median is over. */
  readonly runs: number;
  /** Optional extra detail (all runs, baseline ratio, parameters). */
  readonly detail?: Record<string, unknown>;
}

export interface BenchModule {
  run(opts: { quick: boolean }): Promise<BenchFigure[]>;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
