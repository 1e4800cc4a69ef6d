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
