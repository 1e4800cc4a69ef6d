import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MESSAGES, pickLocale, translate } from './i18n.ts';

describe('flasher translations', () => {
  it('Korean and English define the same keys, none empty', () => {
    const en = Object.keys(MESSAGES.en).sort();
    expect(Object.keys(MESSAGES.ko).sort()).toEqual(en);
    for (const [lang, table] of Object.entries(MESSAGES)) {
      for (const [k, v] of Object.entries(table)) expect(v.trim(), `${lang}.${k}`).not.toBe('');
    }
  });

  it('every data-i18n key in the page exists', () => {
    const html = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
    const keys = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(10);
    for (const k of keys) expect(MESSAGES.en, k).toHaveProperty(k);
  });

  it('picks Korean for Korean browsers unless the user chose', () => {
    expect(pickLocale(null, ['ko-KR', 'en'])).toBe('ko');
    expect(pickLocale('en', ['ko-KR'])).toBe('en');
    expect(pickLocale(null, ['de'])).toBe('en');
    expect(translate('en', 'retryLower', { baud: 115200 })).toBe('Retry at 115200 baud');
  });
});
