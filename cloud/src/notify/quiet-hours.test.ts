import { describe, expect, it } from 'vitest';
import { inQuietHours, localMinutes, parseHHMM, validateQuietHours } from './quiet-hours.ts';

const seoul = (h: number, m = 0) => Date.UTC(2026, 10, 29, h - 9, m); // KST = UTC+9

describe('quiet hours', () => {
  it('reads the clock in the user zone', () => {
    expect(localMinutes(seoul(23, 30), 'Asia/Seoul')).toBe(23 * 60 + 30);
    expect(localMinutes(seoul(23, 30), 'UTC')).toBe(14 * 60 + 30);
  });

  it('handles windows that cross midnight, with an inclusive start and exclusive end', () => {
    const q = { start: '22:00', end: '07:00', tz: 'Asia/Seoul' };
    expect(inQuietHours(q, seoul(21, 59))).toBe(false);
    expect(inQuietHours(q, seoul(22, 0))).toBe(true);
    expect(inQuietHours(q, seoul(3, 0))).toBe(true);
    expect(inQuietHours(q, seoul(6, 59))).toBe(true);
    expect(inQuietHours(q, seoul(7, 0))).toBe(false);
    expect(inQuietHours(q, seoul(12, 0))).toBe(false);
  });

  it('handles same-day windows, empty windows and no setting', () => {
    expect(inQuietHours({ start: '12:00', end: '13:00', tz: 'Asia/Seoul' }, seoul(12, 30))).toBe(true);
    expect(inQuietHours({ start: '12:00', end: '13:00', tz: 'Asia/Seoul' }, seoul(13, 30))).toBe(false);
    expect(inQuietHours({ start: '08:00', end: '08:00', tz: 'Asia/Seoul' }, seoul(8, 0))).toBe(false);
    expect(inQuietHours(null, seoul(3))).toBe(false);
  });

  it('rejects malformed settings with a message naming the problem', () => {
    expect(() => parseHHMM('7:00')).toThrow(/HH:MM/);
    expect(() => parseHHMM('24:00')).toThrow(/HH:MM/);
    expect(() => validateQuietHours({ start: '22:00', end: '07:00', tz: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
    expect(validateQuietHours({ start: '22:00', end: '07:00', tz: 'Asia/Seoul' })).toBeTruthy();
  });
});
