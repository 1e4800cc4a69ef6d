import { describe, expect, it } from 'vitest';
import { ALARM_TYPES, type AlarmType } from '../alarms/types.ts';
import { CATALOGS, fill, kakaoText, renderMessage } from './messages.ts';
import { sampleAlarm, sampleDevice } from './testing/fixtures.ts';

type Tree = { [k: string]: string | Tree };

function leaves(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  const ko = leaves(CATALOGS.ko as unknown as Tree);
  const en = leaves(CATALOGS.en as unknown as Tree);

  it('have exactly the same keys in Korean and English', () => {
    expect([...ko.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('have no empty strings and the same placeholders in both languages', () => {
    for (const [k, v] of en) {
      expect(v.trim(), `en ${k}`).not.toBe('');
      expect(ko.get(k)!.trim(), `ko ${k}`).not.toBe('');
      expect(placeholders(ko.get(k)!), `placeholders of ${k}`).toEqual(placeholders(v));
    }
  });

  it('name every alarm type and every synthetic fault id', () => {
    for (const c of Object.values(CATALOGS)) {
      for (const t of ALARM_TYPES) expect(c.type[t]).toBeTruthy();
      for (const f of ['bearing', 'valve-leak', 'loose-mount', 'slugging', 'electrical', 'starvation'])
        expect(c.fault[f]).toBeTruthy();
    }
  });

  it('fill() throws on a placeholder without a value', () => {
    expect(fill('{a} and {b}', { a: 1, b: 'x' })).toBe('1 and x');
    expect(() => fill('{a} and {b}', { a: 1 })).toThrow(/\{b\}/);
  });
});

describe('renderMessage', () => {
  const url = 'https://sc.example/app/alarms/alarm-0001';

  it('renders every alarm type and kind in both languages without leftovers', () => {
    const details: Record<AlarmType, object> = {
      'edge-anomaly': { threshold: 0.4, peakScore: 0.9 },
      'cloud-anomaly': { cloudScore: 1.4, fault: { type: 'valve-leak', confidence: 0.6 } },
      offline: { lastSeenAt: Date.UTC(2026, 10, 28, 23, 0) },
      'data-loss': { lostCount: 12 },
    };
    for (const locale of ['ko', 'en'] as const) {
      for (const type of ALARM_TYPES) {
        for (const kind of ['opened', 'reopened', 'escalated', 'cleared', 'assigned'] as const) {
          const m = renderMessage({
            alarm: sampleAlarm({ type, detail: details[type] }),
            kind,
            locale,
            device: sampleDevice,
            url,
            timeZone: 'Asia/Seoul',
          });
          for (const s of [m.title, m.body, m.short]) expect(s).not.toMatch(/\{\w+\}|undefined|NaN/);
          expect(m.body).toContain(url);
          expect(m.short.length).toBeLessThanOrEqual(140);
          expect(m.short.endsWith(url)).toBe(true);
        }
      }
    }
  });

  it('formats times in the given zone and language', () => {
    const alarm = sampleAlarm({ openedAt: Date.UTC(2026, 10, 29, 15, 5) }); // 00:05 next day in Seoul
    const ko = renderMessage({ alarm, kind: 'opened', locale: 'ko', device: sampleDevice, url, timeZone: 'Asia/Seoul' });
    expect(ko.body).toMatch(/발생 시각: 2026\. 11\. 30\. 00:05/);
    const en = renderMessage({ alarm, kind: 'opened', locale: 'en', device: null, url, timeZone: 'Europe/London' });
    expect(en.body).toMatch(/Since: 29\/11\/2026, 15:05 (GMT|UTC)/);
    expect(en.title).toBe('[Critical] dev-1: abnormal compressor sound'); // no device row: falls back to the id
  });

  it('puts the most telling facts first and says why an alarm cleared', () => {
    const m = renderMessage({ alarm: sampleAlarm(), kind: 'opened', locale: 'en', device: sampleDevice, url, timeZone: 'UTC' });
    expect(m.body.split('\n').slice(0, 2)).toEqual([
      'A new alarm opened for 1번 냉동 압축기.',
      'Likely cause: bearing wear (81% confidence)',
    ]);
    const cleared = renderMessage({
      alarm: sampleAlarm({ status: 'cleared', detail: { clearReason: 'online' } }),
      kind: 'cleared',
      locale: 'ko',
      device: sampleDevice,
      url,
      timeZone: 'UTC',
    });
    expect(cleared.title.startsWith('[해제]')).toBe(true);
    expect(cleared.body).toContain('기기가 다시 보고하고 있습니다.');
  });

  it('keeps Kakao text within 200 characters, title first', () => {
    const long = sampleAlarm({ detail: { fault: { type: 'x'.repeat(300), confidence: 0.5 } } });
    const m = renderMessage({ alarm: long, kind: 'opened', locale: 'ko', device: sampleDevice, url, timeZone: 'UTC' });
    const text = kakaoText(m);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text.startsWith(m.title)).toBe(true);
  });
});
