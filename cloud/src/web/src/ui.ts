import { useCallback, useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { t } from './store.ts';

export const HEALTH_CLASS: Record<string, string> = {
  alarm: 'danger',
  watch: 'warning',
  offline: 'secondary',
  normal: 'success',
  learning: 'info',
  anomalous: 'danger',
  borderline: 'warning',
  critical: 'danger',
  warning: 'warning',
  info: 'info',
};

export function Badge({ kind, text, testid }: { kind: string; text: string; testid?: string }) {
  return html`<span class=${`badge text-bg-${HEALTH_CLASS[kind] ?? 'secondary'}`} data-testid=${testid}>${text}</span>`;
}

/** Loads data with `load`, re-runs when `deps` change or `reload()` is called. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let alive = true;
    load().then(
      (d) => {
        if (!alive) return;
        setData(d);
        setError(null);
      },
      (e) => {
        if (alive) setError((e as Error).message);
      },
    );
    return () => {
      alive = false;
    };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload, setData };
}

export function Loading({ error, retry }: { error?: string | null; retry?: () => void }) {
  if (error)
    return html`<div class="alert alert-danger" role="alert">
      ${t('error')}: ${error} ${retry ? html`<button type="button" class="btn btn-sm btn-outline-danger ms-2" onClick=${retry}>${t('retry')}</button>` : null}
    </div>`;
  return html`<p class="text-secondary">${t('loading')}</p>`;
}

export function faultName(type: string | null | undefined): string {
  if (!type) return t('fault_unknown');
  const k = `fault_${type}`;
  const s = t(k);
  return s.startsWith('⟦') ? type : s;
}

export function fmtScore(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : x.toFixed(2);
}
