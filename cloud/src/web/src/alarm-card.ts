import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { html } from './html.ts';
import { formatAgo, formatTime, state, t } from './store.ts';
import { Badge, faultName, fmtScore, useLoad } from './ui.ts';

export interface AlarmRow {
  id: string;
  deviceId: string;
  machineId: string | null;
  type: string;
  severity: string;
  status: 'active' | 'cleared';
  acknowledged: boolean;
  ackAt: number | null;
  assigneeId: string | null;
  openedAt: number;
  clearedAt: number | null;
  lastEventAt: number;
  title: string;
  detail: { peakScore?: number; threshold?: number; fault?: { type: string; confidence: number } | null; cloudScore?: number };
  machineName?: string | null;
  siteName?: string | null;
}

export interface OrgUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

interface AlarmDetailView {
  notes: { id: string; authorId: string; text: string; createdAt: number }[];
  events: { id: string; kind: string; at: number; actorId: string | null }[];
}

/** Comments and history of one alarm, loaded when the card is opened. */
function AlarmHistory({ id, users, version }: { id: string; users: OrgUser[]; version: number }) {
  const d = useLoad(() => api<AlarmDetailView>('GET', `/api/alarms/${id}`), [id, version]);
  if (!d.data) return null;
  const who = (uid: string | null) => (uid ? (users.find((u) => u.id === uid)?.name ?? '') : '');
  return html`<div class="small mt-2 border-top pt-2" data-testid="alarm-history">
    ${d.data.notes.map((n) => html`<div data-testid="alarm-note"><b>${who(n.authorId)}</b>: ${n.text} <span class="text-secondary">${formatAgo(n.createdAt)}</span></div>`)}
    <div class="text-secondary mt-1">${d.data.events.map((e) => html`<span class="me-2">${t(`event_${e.kind}`)} ${formatAgo(e.at)}${e.actorId ? ` (${who(e.actorId)})` : ''}</span>`)}</div>
  </div>`;
}

/** One alarm with its lifecycle actions: acknowledge, assign, comment, clear. */
export function AlarmCard({ alarm, users, onChange }: { alarm: AlarmRow; users: OrgUser[]; onChange(a?: AlarmRow): void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => setVersion((v) => v + 1), [alarm.lastEventAt]);
  const [err, setErr] = useState<string | null>(null);
  const canAct = state.user?.role !== 'viewer';
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setErr(null);
    try {
      const r = await fn();
      onChange(r && typeof r === 'object' && 'id' in (r as object) && 'status' in (r as object) ? (r as AlarmRow) : undefined);
      setVersion((v) => v + 1);
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const d = alarm.detail ?? {};
  return html`<div class="card mb-2" data-testid="alarm" data-alarm-id=${alarm.id} data-status=${alarm.status} data-acked=${String(alarm.acknowledged)}>
    <div class="card-body py-2">
      <div class="d-flex flex-wrap gap-2 align-items-center">
        <${Badge} kind=${alarm.severity} text=${t(`severity_${alarm.severity}`)} />
        <span class="fw-semibold">${t(`type_${alarm.type}`)}</span>
        ${alarm.machineName ? html`<span class="text-secondary small">${alarm.machineName}${alarm.siteName ? ` · ${alarm.siteName}` : ''}</span>` : null}
        <span class="ms-auto small text-secondary" title=${formatTime(alarm.openedAt)}>${t('opened')} ${formatAgo(alarm.openedAt)}</span>
        <button type="button" class="btn btn-sm btn-link p-0" data-testid="history-toggle" onClick=${() => setOpen(!open)}>${t('history')}</button>
      </div>
      <div class="small mt-1">
        <span class=${`badge rounded-pill text-bg-${alarm.status === 'active' ? 'danger' : 'light'} me-1`}>${alarm.status === 'active' ? t('active') : t('cleared')}</span>
        ${alarm.acknowledged ? html`<span class="badge rounded-pill text-bg-success me-1" data-testid="acked">${t('acknowledged')}</span>` : null}
        ${d.peakScore !== undefined ? html`<span class="me-2">${t('scoreMax')}: ${fmtScore(d.peakScore)} / ${fmtScore(d.threshold)}</span>` : null}
        ${d.fault ? html`<span class="me-2">${t('likelyFault')}: ${faultName(d.fault.type)} (${Math.round(d.fault.confidence * 100)}%)</span>` : null}
      </div>
      ${
        canAct
          ? html`<div class="d-flex flex-wrap gap-2 mt-2 align-items-center">
            ${
              alarm.acknowledged
                ? null
                : html`<button type="button" class="btn btn-sm btn-primary" disabled=${busy} data-testid="ack"
                  onClick=${() => act(() => api('POST', `/api/alarms/${alarm.id}/ack`))}>${t('acknowledge')}</button>`
            }
            <select class="form-select form-select-sm w-auto" aria-label=${t('assignee')} value=${alarm.assigneeId ?? ''} disabled=${busy} data-testid="assign"
              onChange=${(e: Event) => act(() => api('POST', `/api/alarms/${alarm.id}/assign`, { userId: (e.target as HTMLSelectElement).value || null }))}>
              <option value="">${t('unassigned')}</option>
              ${users.map((u) => html`<option value=${u.id}>${u.name}</option>`)}
            </select>
            ${
              alarm.status === 'active'
                ? html`<button type="button" class="btn btn-sm btn-outline-secondary" disabled=${busy} data-testid="clear"
                  onClick=${() => act(() => api('POST', `/api/alarms/${alarm.id}/clear`, {}))}>${t('clear')}</button>`
                : null
            }
            <form class="d-flex gap-1 flex-grow-1" style="min-width:14rem" onSubmit=${(e: Event) => {
              e.preventDefault();
              if (note.trim())
                act(() => api('POST', `/api/alarms/${alarm.id}/notes`, { text: note.trim() }).then(() => setNote('')));
            }}>
              <input class="form-control form-control-sm" placeholder=${t('comment')} aria-label=${t('comment')} value=${note}
                onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} data-testid="note" />
              <button type="submit" class="btn btn-sm btn-outline-primary text-nowrap" disabled=${busy}>${t('addComment')}</button>
            </form>
          </div>`
          : null
      }
      ${err ? html`<div class="text-danger small mt-1">${err}</div>` : null}
      ${open ? html`<${AlarmHistory} id=${alarm.id} users=${users} version=${version} />` : null}
    </div>
  </div>`;
}
