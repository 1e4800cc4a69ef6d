import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES, pickLocale, translate } from './i18n.ts';

const srcDir = import.meta.dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('dashboard translations', () => {
  it('Korean and English have the same keys and no empty strings', () => {
    expect(Object.keys(MESSAGES.ko).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    for (const [lang, table] of Object.entries(MESSAGES)) {
      for (const [k, v] of Object.entries(table)) expect(v.trim(), `${lang}.${k}`).not.toBe('');
    }
  });

  it('every literal t("key") used by the pages exists', () => {
    const used = new Set<string>();
    for (const f of sources(srcDir)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([^'$]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(80);
    const missing = [...used].filter((k) => !(k in MESSAGES.en));
    expect(missing).toEqual([]);
  });

  it('every enumerated state, fault, role, type and severity has a label in both languages', () => {
    const dynamic = [
      ...['alarm', 'watch', 'offline', 'normal', 'learning'].map((h) => `health_${h}`),
      ...['normal', 'borderline', 'anomalous', 'learning', 'watch', 'alarm'].map((s) => `state_${s}`),
      ...['bearing', 'valve-leak', 'loose-mount', 'slugging', 'electrical', 'starvation', 'unknown'].map((f) => `fault_${f}`),
      ...['edge-anomaly', 'cloud-anomaly', 'offline', 'data-loss'].map((x) => `type_${x}`),
      ...['info', 'warning', 'critical'].map((x) => `severity_${x}`),
      ...['owner', 'admin', 'technician', 'viewer'].map((x) => `role_${x}`),
      ...['email', 'sms', 'kakao', 'push'].map((x) => `channel_${x}`),
      ...['raw', 'minute', 'hour'].map((x) => `res_${x}`),
      ...['opened', 'reopened', 'escalated', 'updated', 'cleared', 'acknowledged', 'assigned', 'noted'].map((x) => `event_${x}`),
      'label_normal',
      'label_false-alarm',
    ];
    for (const k of dynamic) {
      expect(translate('en', k), k).not.toMatch(/⟦/);
      expect(translate('ko', k), k).not.toMatch(/⟦/);
    }
  });

  it('marks a missing key visibly and interpolates variables', () => {
    expect(translate('ko', 'no_such_key')).toBe('⟦no_such_key⟧');
    expect(translate('ko', 'ago_m', { n: 3 })).toBe('3분 전');
    expect(pickLocale(null, ['ko-KR'])).toBe('ko');
    expect(pickLocale('en', ['ko-KR'])).toBe('en');
  });
});
