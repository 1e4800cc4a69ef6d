import { useEffect, useState } from 'preact/hooks';
import { type Locale, pickLocale, translate } from './i18n.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'technician' | 'viewer';
  orgId: string;
  orgName: string;
  locale: Locale;
}

interface State {
  locale: Locale;
  user: SessionUser | null;
  /** null until /api/auth/verify answered. */
  ready: boolean;
  path: string;
  live: boolean;
  /** The app started without a network (the shell came from the service worker cache). */
  offline: boolean;
}

const listeners = new Set<() => void>();
export const state: State = {
  locale: pickLocale(localStorage.getItem('sc-locale'), navigator.languages ?? [navigator.language]),
  user: null,
  ready: false,
  path: location.pathname + location.search,
  live: true,
  offline: false,
};

export function update(patch: Partial<State>): void {
  Object.assign(state, patch);
  if (patch.locale) {
    localStorage.setItem('sc-locale', patch.locale);
    document.documentElement.lang = patch.locale;
  }
  for (const l of listeners) l();
}

/** Re-renders the calling component whenever the store changes. */
export function useStore(): State {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return state;
}

export const t = (key: string, vars?: Record<string, string | number>) => translate(state.locale, key, vars);

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  update({ path: to });
  window.scrollTo(0, 0);
}

/** An onClick for in-app links: client-side navigation instead of a page load. */
export const link = (to: string) => (e: Event) => {
  e.preventDefault();
  navigate(to);
};

window.addEventListener('popstate', () => update({ path: location.pathname + location.search }));

export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return t('never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return t('ago_s', { n: s });
  if (s < 3600) return t('ago_m', { n: Math.round(s / 60) });
  if (s < 86400) return t('ago_h', { n: Math.round(s / 3600) });
  return t('ago_d', { n: Math.round(s / 86400) });
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(state.locale === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}
