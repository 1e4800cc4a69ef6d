import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { onRealtime } from '../realtime.ts';
import { formatAgo, state, t } from '../store.ts';
import { Badge, fmtScore, Loading, useLoad } from '../ui.ts';

interface DeviceRow {
  id: string;
  name: string;
  status: 'active' | 'decommissioned';
  machineName: string;
  siteName: string;
  compressorType: string;
  location: string;
  lastSeen: number | null;
  firmware: string | null;
  lastScore: number | null;
  online: boolean;
}

interface Registered {
  device: DeviceRow;
  provisioningToken: string;
  flasherUrl: string;
}

/** The flasher link: the token rides in the fragment so it never reaches a server log. */
export function flasherLink(r: Registered): string {
  const u = new URL(r.flasherUrl, location.origin);
  const cloud = u.searchParams.get('cloud') ?? location.origin;
  return `${u.origin}${u.pathname}#cloud=${encodeURIComponent(cloud)}&token=${encodeURIComponent(r.provisioningToken)}`;
}

function RegisterForm({ onDone }: { onDone(r: Registered): void }) {
  const [v, setV] = useState({ name: '', siteName: '', machineName: '', compressorType: 'reciprocating', location: '' });
  const [err, setErr] = useState<string | null>(null);
  const field = (k: keyof typeof v, label: string, required = true) =>
    html`<div class="col-sm-6 col-lg-4"><label class="form-label small" for=${`rd-${k}`}>${label}</label>
      <input id=${`rd-${k}`} class="form-control form-control-sm" required=${required} value=${v[k]} data-testid=${`rd-${k}`}
        onInput=${(e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value })} /></div>`;
  return html`<form class="row g-2 align-items-end" onSubmit=${async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      onDone(await api<Registered>('POST', '/api/devices', v));
      setV({ ...v, name: '', machineName: '', location: '' });
    } catch (ex) {
      setErr((ex as Error).message);
    }
  }}>
    ${field('name', t('deviceName'))} ${field('siteName', t('siteName'))} ${field('machineName', t('machineName'))}
    ${field('compressorType', t('compressorType'))} ${field('location', t('location'), false)}
    <div class="col-sm-6 col-lg-4"><button class="btn btn-primary btn-sm w-100" type="submit" data-testid="register">${t('register')}</button></div>
    ${err ? html`<div class="col-12 text-danger small">${err}</div>` : null}
  </form>`;
}

function TokenOnce({ reg }: { reg: Registered }) {
  const [qr, setQr] = useState<string | null>(null);
  const link = flasherLink(reg);
  useEffect(() => {
    QRCode.toDataURL(link, { margin: 1, width: 200 }).then(setQr, () => setQr(null));
  }, [link]);
  return html`<div class="alert alert-warning" data-testid="token-once">
    <div class="fw-semibold">${t('tokenOnce')}</div>
    <code class="d-block my-2 user-select-all fs-6 text-break" data-testid="token">${reg.provisioningToken}</code>
    <div class="d-flex flex-wrap gap-3 align-items-center">
      <a class="btn btn-sm btn-dark" href=${link} target="_blank" rel="noopener" data-testid="flasher-link">${t('openFlasher')}</a>
      ${qr ? html`<img src=${qr} width="120" height="120" alt="QR" data-testid="qr" />` : null}
      <span class="small">${t('scanQr')}</span>
    </div>
  </div>`;
}

export function DevicesPage() {
  const list = useLoad(() => api<DeviceRow[]>('GET', '/api/devices'), []);
  const [reg, setReg] = useState<Registered | null>(null);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const admin = state.user?.role === 'owner' || state.user?.role === 'admin';
  useEffect(() => onRealtime('device-status', list.reload), []);
  const run = async (fn: () => Promise<unknown>) => {
    setErr(null);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return html`<div>
    <h1 class="h4 mb-3">${t('devicesTitle')}</h1>
    ${
      admin
        ? html`<section class="card mb-3"><div class="card-body">
          <h2 class="h6">${t('registerDevice')}</h2>
          <${RegisterForm} onDone=${(r: Registered) => {
            setReg(r);
            list.reload();
          }} />
        </div></section>`
        : null
    }
    ${reg ? html`<${TokenOnce} reg=${reg} />` : null}
    ${err ? html`<div class="alert alert-danger py-2">${err}</div>` : null}
    ${
      list.data
        ? html`<div class="table-responsive"><table class="table table-sm align-middle" data-testid="devices">
          <thead><tr><th>${t('deviceName')}</th><th class="d-none d-md-table-cell">${t('machine')}</th><th>${t('status')}</th><th class="d-none d-md-table-cell">${t('lastSeen')}</th><th class="d-none d-sm-table-cell">${t('lastScore')}</th><th></th></tr></thead>
          <tbody>${list.data.map(
            (d) => html`<tr key=${d.id} data-testid="device-row">
              <td>${
                editing?.id === d.id
                  ? html`<form class="d-flex gap-1" onSubmit=${(e: Event) => {
                      e.preventDefault();
                      run(() => api('PATCH', `/api/devices/${d.id}`, { name: editing.name })).then(() => setEditing(null));
                    }}><input class="form-control form-control-sm" aria-label=${t('deviceName')} value=${editing.name} data-testid="rename-input"
                      onInput=${(e: Event) => setEditing({ id: d.id, name: (e.target as HTMLInputElement).value })} />
                    <button class="btn btn-sm btn-primary" type="submit">${t('save')}</button></form>`
                  : d.name
              }</td>
              <td class="small d-none d-md-table-cell">${d.machineName}<div class="text-secondary">${d.siteName}</div></td>
              <td>${
                d.status === 'decommissioned'
                  ? html`<${Badge} kind="offline" text=${t('decommissioned')} />`
                  : html`<${Badge} kind=${d.online ? 'normal' : 'offline'} text=${d.online ? t('online') : t('offline')} />`
              }</td>
              <td class="small d-none d-md-table-cell">${formatAgo(d.lastSeen)}</td>
              <td class="d-none d-sm-table-cell">${fmtScore(d.lastScore)}</td>
              <td class="text-end text-nowrap">${
                admin && d.status === 'active'
                  ? html`<button type="button" class="btn btn-sm btn-outline-secondary me-1 mb-1" onClick=${() => setEditing({ id: d.id, name: d.name })} data-testid="rename">${t('rename')}</button>
                  <button type="button" class="btn btn-sm btn-outline-danger mb-1" data-testid="decommission"
                    onClick=${() => confirm(t('confirmDecommission')) && run(() => api('POST', `/api/devices/${d.id}/decommission`, {}))}>${t('decommission')}</button>`
                  : null
              }</td>
            </tr>`,
          )}</tbody></table></div>`
        : html`<${Loading} error=${list.error} retry=${list.reload} />`
    }
  </div>`;
}
