import type { TimelineData } from './timeline-types.ts';

const BUCKET_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000 };
const STATE_RANK: Record<string, number> = { learning: 0, normal: 1, watch: 2, alarm: 3 };

/** Folds live windows into the loaded series the way the server's roll-ups would (raw: append). */
export function mergeWindows(d: TimelineData, windows: { t: number; score: number; state: string }[]): TimelineData {
  const points = [...d.points];
  const ms = BUCKET_MS[d.res];
  for (const w of [...windows].sort((a, b) => a.t - b.t)) {
    const last = points.at(-1);
    if (!ms) {
      if (!last || w.t > last.t) points.push({ t: w.t, mean: w.score, max: w.score, n: 1, state: w.state });
      continue;
    }
    const start = Math.floor(w.t / ms) * ms;
    if (last && last.t === start) {
      const n = last.n + 1;
      const worse = (STATE_RANK[w.state] ?? 0) > (STATE_RANK[last.state] ?? 0);
      points[points.length - 1] = {
        t: start,
        n,
        mean: last.mean + (w.score - last.mean) / n,
        max: Math.max(last.max, w.score),
        state: worse ? w.state : last.state,
      };
    } else if (!last || start > last.t) points.push({ t: start, mean: w.score, max: w.score, n: 1, state: w.state });
  }
  const lastT = windows.reduce((m, w) => Math.max(m, w.t), d.to);
  return { ...d, to: lastT, points };
}

/** A clip's cloud re-score: `score` is calibrated so 1 = the cloud's alarm threshold. */
export interface CloudMark {
  t: number;
  score: number;
}

/**
 * uPlot columns: x (s), edge mean, edge max, threshold, borderline, cloud marker. Cloud scores are
 * scaled by the edge alarm threshold so both alarm lines coincide, and capped at 3× the threshold
 * (or 1.2× the edge peak) so one extreme clip cannot flatten the chart. The requested span's ends are
 * added as empty points so the threshold lines cross the whole chart.
 */
export function chartColumns(d: TimelineData, cloud: CloudMark[] = []): (number | null)[][] {
  const rows = new Map<number, { mean: number | null; max: number | null; cloud: number | null }>();
  for (const p of d.points) rows.set(p.t, { mean: p.mean, max: p.max, cloud: null });
  // A wildly anomalous clip would flatten the edge series; such marks sit at the top instead.
  const edgeMax = d.points.reduce((m, p) => Math.max(m, p.max), 0);
  const cap = Math.max(d.threshold * 3, edgeMax * 1.2);
  for (const c of cloud) {
    if (c.t < d.from || c.t > d.to) continue;
    const r = rows.get(c.t) ?? { mean: null, max: null, cloud: null };
    r.cloud = Math.min(c.score * d.threshold, cap);
    rows.set(c.t, r);
  }
  if (d.to > d.from) {
    if (!rows.has(d.from)) rows.set(d.from, { mean: null, max: null, cloud: null });
    if (!rows.has(d.to)) rows.set(d.to, { mean: null, max: null, cloud: null });
  }
  const ts = [...rows.keys()]
    .filter(
      (t) =>
        d.to <= d.from || (t >= Math.min(d.from, d.points[0]?.t ?? d.from) && t <= Math.max(d.to, d.points.at(-1)?.t ?? d.to)),
    )
    .sort((a, b) => a - b);
  return [
    ts.map((t) => t / 1000),
    ts.map((t) => rows.get(t)?.mean ?? null),
    ts.map((t) => rows.get(t)?.max ?? null),
    ts.map(() => d.threshold),
    ts.map(() => d.borderlineLow),
    ts.map((t) => rows.get(t)?.cloud ?? null),
  ];
}
