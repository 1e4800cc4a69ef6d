import { useEffect, useState } from 'preact/hooks';
import { AlarmCard, type AlarmRow, type OrgUser } from '../alarm-card.ts';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { onRealtime } from '../realtime.ts';
import { t } from '../store.ts';
import { Loading, useLoad } from '../ui.ts';

export function AlarmsPage({ focus }: { focus?: string }) {
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const list = useLoad(() => api<AlarmRow[]>('GET', `/api/alarms?status=${status}`), [status]);
  const users = useLoad(() => api<OrgUser[]>('GET', '/api/org/users'), []);
  useEffect(() => onRealtime('alarm', list.reload), []);
  useEffect(() => {
    if (focus && list.data) document.querySelector(`[data-alarm-id="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'center' });
  }, [focus, list.data]);
  return html`<div>
    <div class="d-flex align-items-center gap-2 mb-3">
      <h1 class="h4 mb-0 me-auto">${t('alarmsTitle')}</h1>
      <div class="btn-group btn-group-sm" role="group">
        <button type="button" class=${`btn btn-outline-secondary ${status === 'open' ? 'active' : ''}`} onClick=${() => setStatus('open')}>${t('showOpen')}</button>
        <button type="button" class=${`btn btn-outline-secondary ${status === 'all' ? 'active' : ''}`} onClick=${() => setStatus('all')} data-testid="show-all">${t('showAll')}</button>
      </div>
    </div>
    ${
      list.data
        ? list.data.length === 0
          ? html`<p class="text-secondary">${t('noAlarms')}</p>`
          : list.data.map((a) => html`<${AlarmCard} key=${a.id} alarm=${a} users=${users.data ?? []} onChange=${list.reload} />`)
        : html`<${Loading} error=${list.error} retry=${list.reload} />`
    }
  </div>`;
}
