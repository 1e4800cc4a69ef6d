import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { disablePush, enablePush, type PushStatus, pushStatus } from '../push.ts';
import { state, t, update } from '../store.ts';
import { Loading, useLoad } from '../ui.ts';
import { TeamCard } from './team.ts';

interface Prefs {
  locale: Locale;
  channels: { email: boolean; sms: boolean; kakao: boolean; push: boolean };
  phone?: string | null;
  quietHours: { start: string; end: string; tz: string } | null;
}

function PushCard() {
  const [status, setStatus] = useState<PushStatus | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    pushStatus().then(setStatus, (e) => setErr(String(e)));
  }, []);
  const toggle = async () => {
    setErr(null);
    try {
      setStatus(status === 'on' ? await disablePush() : await enablePush());
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return html`<section class="card mb-3"><div class="card-body">
    <h2 class="h6">${t('pushTitle')}</h2>
    <p class="small mb-2" data-testid="push-status" data-status=${status ?? ''}>
      ${status === 'unsupported' ? t('pushUnsupported') : status === 'denied' ? t('pushDenied') : status === 'on' ? t('pushOn') : status === 'off' ? t('pushOff') : t('loading')}
    </p>
    ${
      status === 'on' || status === 'off'
        ? html`<button type="button" class="btn btn-sm btn-outline-primary" onClick=${toggle} data-testid="push-toggle">${status === 'on' ? t('pushDisable') : t('pushEnable')}</button>`
        : null
    }
    ${err ? html`<div class="text-danger small mt-1">${err}</div>` : null}
  </div></section>`;
}

export function SettingsPage() {
  const prefs = useLoad(() => api<Prefs>('GET', '/api/me/preferences'), []);
  const [v, setV] = useState<Prefs | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (prefs.data) setV(prefs.data);
  }, [prefs.data]);
  if (!v) return html`<${Loading} error=${prefs.error} retry=${prefs.reload} />`;
  const save = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    try {
      const body = { ...v, phone: v.phone?.trim() ? v.phone.trim() : null };
      await api('PUT', '/api/me/preferences', body);
      update({ locale: v.locale, user: state.user ? { ...state.user, locale: v.locale } : null });
      setMsg({ ok: true, text: t('saved') });
    } catch (ex) {
      setMsg({ ok: false, text: (ex as Error).message });
    }
  };
  const ch = (k: keyof Prefs['channels']) => html`<div class="form-check form-switch">
    <input class="form-check-input" type="checkbox" id=${`ch-${k}`} checked=${v.channels[k]} data-testid=${`ch-${k}`}
      onChange=${(e: Event) => setV({ ...v, channels: { ...v.channels, [k]: (e.target as HTMLInputElement).checked } })} />
    <label class="form-check-label" for=${`ch-${k}`}>${t(`channel_${k}`)}</label></div>`;
  const qh = v.quietHours;
  return html`<div>
    <h1 class="h4 mb-3">${t('settingsTitle')}</h1>
    <form onSubmit=${save} data-testid="settings-form">
      <section class="card mb-3"><div class="card-body">
        <label class="form-label" for="locale">${t('language')}</label>
        <select id="locale" class="form-select w-auto" value=${v.locale} data-testid="locale" onChange=${(e: Event) => setV({ ...v, locale: (e.target as HTMLSelectElement).value as Locale })}>
          <option value="ko">한국어</option><option value="en">English</option>
        </select>
      </div></section>
      <section class="card mb-3"><div class="card-body">
        <h2 class="h6">${t('channels')}</h2>
        ${ch('email')} ${ch('sms')} ${ch('kakao')} ${ch('push')}
        <label class="form-label small mt-2" for="phone">${t('phone')}</label>
        <input id="phone" class="form-control form-control-sm" style="max-width:16rem" placeholder="+821012345678" value=${v.phone ?? ''}
          onInput=${(e: Event) => setV({ ...v, phone: (e.target as HTMLInputElement).value })} />
        <div class="form-text">${t('phoneHint')}</div>
      </div></section>
      <section class="card mb-3"><div class="card-body">
        <div class="form-check form-switch">
          <input class="form-check-input" type="checkbox" id="qh" checked=${qh !== null} data-testid="quiet-toggle"
            onChange=${(e: Event) => setV({ ...v, quietHours: (e.target as HTMLInputElement).checked ? { start: '22:00', end: '07:00', tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Seoul' } : null })} />
          <label class="form-check-label" for="qh">${t('quietHours')}</label>
        </div>
        <div class="form-text mb-2">${t('quietHoursHint')}</div>
        ${
          qh
            ? html`<div class="d-flex flex-wrap gap-2">
              <label class="small">${t('from')} <input type="time" class="form-control form-control-sm" value=${qh.start} onInput=${(e: Event) => setV({ ...v, quietHours: { ...qh, start: (e.target as HTMLInputElement).value } })} /></label>
              <label class="small">${t('to')} <input type="time" class="form-control form-control-sm" value=${qh.end} onInput=${(e: Event) => setV({ ...v, quietHours: { ...qh, end: (e.target as HTMLInputElement).value } })} /></label>
              <label class="small">${t('timeZone')} <input class="form-control form-control-sm" value=${qh.tz} onInput=${(e: Event) => setV({ ...v, quietHours: { ...qh, tz: (e.target as HTMLInputElement).value } })} /></label>
            </div>`
            : null
        }
      </div></section>
      ${msg ? html`<div class=${`alert py-2 alert-${msg.ok ? 'success' : 'danger'}`} data-testid="settings-msg">${msg.text}</div>` : null}
      <button class="btn btn-primary mb-3" type="submit" data-testid="settings-save">${t('save')}</button>
    </form>
    <${PushCard} />
    ${state.user?.role === 'owner' || state.user?.role === 'admin' ? html`<${TeamCard} />` : null}
  </div>`;
}
