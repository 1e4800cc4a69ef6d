/** Quiet hours in the user's own time zone. */
import type { QuietHours } from './types.ts';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseHHMM(s: string): number {
  const m = HHMM.exec(s);
  if (!m) throw new RangeError(`time must be HH:MM (00:00–23:59), got "${s}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Throws RangeError naming the bad field; use it when preferences are saved. */
export function validateQuietHours(q: QuietHours): QuietHours {
  parseHHMM(q.start);
  parseHHMM(q.end);
  try {
    new Intl.DateTimeFormat('en', { timeZone: q.tz });
  } catch {
    throw new RangeError(`unknown time zone "${q.tz}" (use an IANA name like Asia/Seoul)`);
  }
  return q;
}

/** Minutes since local midnight in `tz` at instant `t`. */
export function localMinutes(t: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return get('hour') * 60 + get('minute');
}

/**
 * True when `t` falls in [start, end) local time. A window whose start is after its end wraps past
 * midnight (22:00–07:00); start === end means no quiet hours.
 */
export function inQuietHours(q: QuietHours | null, t: number): boolean {
  if (!q) return false;
  const start = parseHHMM(q.start);
  const end = parseHHMM(q.end);
  if (start === end) return false;
  const m = localMinutes(t, q.tz);
  return start < end ? m >= start && m < end : m >= start || m < end;
}
