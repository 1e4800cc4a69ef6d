import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { onRealtime } from '../realtime.ts';
import { formatAgo, link, t } from '../store.ts';
import { Badge, fmtScore, Loading, useLoad } from '../ui.ts';

export interface FleetRow {
  machineId: string;
  machineName: string;
  siteName: string;
  compressorType: string;
  location: string;
  deviceId: string;
  deviceName: string;
  health: string;
  lastSeen: number | null;
  lastScore: number | null;
  openAlarms: number;
}

const ORDER = ['alarm', 'watch', 'offline', 'learning', 'normal'];

export function FleetPage() {
  const { data, error, reload, setData } = useLoad(() => api<FleetRow[]>('GET', '/api/fleet'), []);
  useEffect(() => {
    // Health depends on alarms and status; refetch on those. Verdicts only move the score.
    const offs = [
      onRealtime('alarm', reload),
      onRealtime('device-status', reload),
      onRealtime('verdict', (e: { deviceId: string; last: { t: number; score: number; state: string } }) => {
        setData((rows) => {
          if (!rows) return rows;
          const next = rows.map((r) => (r.deviceId === e.deviceId ? { ...r, lastScore: e.last.score, lastSeen: e.last.t } : r));
          const row = next.find((r) => r.deviceId === e.deviceId);
          if (row && row.health !== 'alarm' && (e.last.state === 'alarm' || e.last.state === 'watch')) reload();
          return next;
        });
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, []);
  if (!data) return html`<${Loading} error=${error} retry=${reload} />`;
  const rows = [...data].sort((a, b) => ORDER.indexOf(a.health) - ORDER.indexOf(b.health));
  const counts = ORDER.map((h) => [h, rows.filter((r) => r.health === h).length] as const).filter(([, n]) => n > 0);
  return html`<div>
    <div class="d-flex flex-wrap align-items-center gap-2 mb-3">
      <h1 class="h4 mb-0 me-2">${t('fleetTitle')}</h1>
      ${counts.map(([h, n]) => html`<${Badge} kind=${h} text=${`${t(`health_${h}`)} ${n}`} />`)}
    </div>
    ${rows.length === 0 ? html`<p class="text-secondary">${t('fleetEmpty')}</p>` : null}
    <div class="row g-2" data-testid="fleet">
      ${rows.map(
        (r) => html`<div class="col-12 col-md-6 col-xl-4" key=${r.machineId}>
          <a class="card h-100 text-decoration-none text-body fleet-card" href=${`/app/machines/${r.machineId}`} data-testid="fleet-row" data-health=${r.health}
            onClick=${link(`/app/machines/${r.machineId}`)}>
            <div class=${`card-body border-start border-4 border-${r.health === 'alarm' ? 'danger' : r.health === 'watch' ? 'warning' : r.health === 'offline' ? 'secondary' : r.health === 'normal' ? 'success' : 'info'}`}>
              <div class="d-flex justify-content-between align-items-start gap-2">
                <div>
                  <div class="fw-semibold">${r.machineName}</div>
                  <div class="small text-secondary">${r.siteName} · ${r.location || r.compressorType}</div>
                </div>
                <${Badge} kind=${r.health} text=${t(`health_${r.health}`)} testid="health" />
              </div>
              <div class="d-flex justify-content-between small mt-2">
                <span>${t('lastScore')}: <b data-testid="fleet-score">${fmtScore(r.lastScore)}</b></span>
                <span class="text-secondary">${formatAgo(r.lastSeen)}</span>
                ${r.openAlarms > 0 ? html`<span class="text-danger">${t('openAlarms')}: ${r.openAlarms}</span>` : null}
              </div>
            </div>
          </a>
        </div>`,
      )}
    </div>
  </div>`;
}
