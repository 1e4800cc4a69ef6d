import { useEffect, useState } from 'preact/hooks';
import { AlarmCard, type AlarmRow, type OrgUser } from '../alarm-card.ts';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { onRealtime } from '../realtime.ts';
import { Spectrogram } from '../spectrogram.ts';
import { formatAgo, formatTime, state, t } from '../store.ts';
import { Timeline, type TimelineData } from '../timeline.ts';
import { mergeWindows } from '../timeline-merge.ts';
import { Badge, faultName, fmtScore, Loading, useLoad } from '../ui.ts';

interface MachineInfo {
  machine: { id: string; name: string; compressorType: string; location: string; siteName: string };
  device: {
    id: string;
    name: string;
    online: boolean;
    lastSeen: number | null;
    firmware: string | null;
    rssi: number | null;
    lastScore: number | null;
    lastState: string | null;
  } | null;
  thresholds: { alert: number; borderlineLow: number };
}

interface ClipRow {
  id: string;
  t: number;
  edgeScore: number;
  cloudScore: number | null;
  cloudState: string | null;
  faultType: string | null;
}

interface ClipDetail {
  id: string;
  t: number;
  edgeScore: number;
  durationS: number;
  cloudVerdict: {
    score: number;
    state: string;
    fault: { type: string; confidence: number } | null;
    explanation: { feature: string; value: number; z: number; direction: 'high' | 'low' }[];
    version: string;
  } | null;
  labels: { id: number; label: string; note: string | null; userName: string | null; createdAt: number }[];
}

const RANGES = [
  ['range1h', 3600_000],
  ['range24h', 24 * 3600_000],
  ['range7d', 7 * 24 * 3600_000],
  ['range30d', 30 * 24 * 3600_000],
] as const;
const LABELS = ['normal', 'false-alarm', 'bearing', 'valve-leak', 'loose-mount', 'slugging', 'electrical', 'starvation'];

function labelName(l: string): string {
  return l === 'normal' || l === 'false-alarm' ? t(`label_${l}`) : faultName(l);
}

function ClipPanel({ id, onLabelled }: { id: string; onLabelled(): void }) {
  const clip = useLoad(() => api<ClipDetail>('GET', `/api/clips/${id}`), [id]);
  const spec = useLoad(() => api<{ frames: number; nMels: number; data: number[] }>('GET', `/api/clips/${id}/spectrogram`), [id]);
  const [label, setLabel] = useState('normal');
  const [note, setNote] = useState('');
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => onRealtime('cloud-verdict', (e: { clipId?: string }) => e.clipId === id && clip.reload()), [id]);
  if (!clip.data) return html`<${Loading} error=${clip.error} retry=${clip.reload} />`;
  const c = clip.data;
  const v = c.cloudVerdict;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', `/api/clips/${id}/labels`, { label, note: note.trim() || undefined });
      setNote('');
      clip.reload();
      onLabelled();
    } catch (ex) {
      setErr((ex as Error).message);
    }
  };
  return html`<div class="border rounded p-2 bg-body-tertiary" data-testid="clip-panel">
    <div class="row g-3">
      <div class="col-lg-7">
        <div class="small text-secondary mb-1">${t('spectrogram')} · ${formatTime(c.t)} · ${c.durationS.toFixed(1)} s</div>
        ${spec.data ? html`<${Spectrogram} ...${spec.data} />` : html`<${Loading} error=${spec.error} />`}
        <div class="mt-2"><span class="small me-2">${t('listen')}</span>
          <audio controls preload="none" src=${`/api/clips/${id}/audio`} class="w-100" data-testid="audio"></audio></div>
      </div>
      <div class="col-lg-5">
        <div class="small">${t('edgeScore')}: <b>${fmtScore(c.edgeScore)}</b></div>
        <div class="small mb-2">${t('cloudVerdict')}:
          ${
            v
              ? html`<b>${fmtScore(v.score)}</b> <${Badge} kind=${v.state} text=${t(`state_${v.state}`)} />`
              : html`<span class="text-secondary">${t('noCloudVerdict')}</span>`
          }
        </div>
        ${
          v?.fault
            ? html`<div class="small mb-2" data-testid="fault">${t('likelyFault')}: <b>${faultName(v.fault.type)}</b> (${t('confidence')} ${Math.round(v.fault.confidence * 100)}%)</div>`
            : null
        }
        ${
          v?.explanation?.length
            ? html`<div class="small fw-semibold">${t('explanation')}</div>
            <table class="table table-sm small mb-2"><thead><tr><th>${t('feature')}</th><th>${t('deviation')}</th></tr></thead><tbody>
              ${v.explanation.map((x) => html`<tr><td><code>${x.feature}</code></td><td>${x.z.toFixed(1)}σ ${x.direction === 'high' ? t('higher') : t('lower')}</td></tr>`)}
            </tbody></table>`
            : null
        }
        <div class="small fw-semibold">${t('labels')}</div>
        ${c.labels.length === 0 ? html`<div class="small text-secondary">${t('noLabels')}</div>` : null}
        <ul class="small ps-3 mb-2" data-testid="labels">
          ${c.labels.map((l) => html`<li>${labelName(l.label)}${l.note ? ` · ${l.note}` : ''} <span class="text-secondary">(${l.userName ?? ''}, ${formatAgo(l.createdAt)})</span></li>`)}
        </ul>
        ${
          state.user?.role !== 'viewer'
            ? html`<form class="d-flex flex-wrap gap-1" onSubmit=${submit}>
              <select class="form-select form-select-sm w-auto" aria-label=${t('label')} value=${label} onChange=${(e: Event) => setLabel((e.target as HTMLSelectElement).value)} data-testid="label-select">
                ${LABELS.map((l) => html`<option value=${l}>${labelName(l)}</option>`)}
              </select>
              <input class="form-control form-control-sm flex-grow-1 w-auto" placeholder=${t('note')} aria-label=${t('note')} value=${note} onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
              <button class="btn btn-sm btn-outline-primary" type="submit" data-testid="label-submit">${t('addLabel')}</button>
            </form>`
            : null
        }
        ${err ? html`<div class="text-danger small">${err}</div>` : null}
      </div>
    </div>
  </div>`;
}

export function MachinePage({ id }: { id: string }) {
  const info = useLoad(() => api<MachineInfo>('GET', `/api/machines/${id}`), [id]);
  const [span, setSpan] = useState<{ from: number; to: number } | null>(null);
  const [rangeMs, setRangeMs] = useState(24 * 3600_000);
  const timeline = useLoad(() => {
    const to = span?.to ?? Date.now();
    const from = span?.from ?? to - rangeMs;
    return api<TimelineData>('GET', `/api/machines/${id}/timeline?from=${Math.floor(from)}&to=${Math.ceil(to)}`);
  }, [id, span, rangeMs]);
  const alarms = useLoad(() => api<AlarmRow[]>('GET', `/api/machines/${id}/alarms`), [id]);
  const clips = useLoad(() => api<ClipRow[]>('GET', `/api/machines/${id}/clips`), [id]);
  const users = useLoad(() => api<OrgUser[]>('GET', '/api/org/users'), []);
  const [openClip, setOpenClip] = useState<string | null>(null);

  useEffect(() => {
    const offs = [
      onRealtime(
        'verdict',
        (e: {
          machineId: string;
          windows: { t: number; score: number; state: string }[];
          last: { t: number; score: number; state: string };
        }) => {
          if (e.machineId !== id) return;
          info.setData((d) =>
            d?.device
              ? {
                  ...d,
                  device: { ...d.device, lastScore: e.last.score, lastState: e.last.state, lastSeen: e.last.t, online: true },
                }
              : d,
          );
          // Live view: append the new windows unless the user zoomed into the past.
          timeline.setData((d) => (d && !span ? mergeWindows(d, e.windows) : d));
        },
      ),
      onRealtime('alarm', (e: { alarm: AlarmRow }) => e.alarm?.machineId === id && alarms.reload()),
      onRealtime('device-status', (e: { machineId: string }) => e.machineId === id && info.reload()),
      onRealtime('cloud-verdict', (e: { machineId: string }) => e.machineId === id && clips.reload()),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [id, span]);

  if (!info.data) return html`<${Loading} error=${info.error} retry=${info.reload} />`;
  const { machine, device, thresholds } = info.data;
  const edgeState = device?.lastState ?? 'learning';
  const latestCloud = clips.data?.find((c) => c.cloudState);
  const cloudMarks = (clips.data ?? []).flatMap((c) => (c.cloudScore == null ? [] : [{ t: c.t, score: c.cloudScore }]));
  return html`<div>
    <div class="d-flex flex-wrap align-items-start gap-2 mb-3">
      <div class="me-auto">
        <h1 class="h4 mb-0" data-testid="machine-name">${machine.name}</h1>
        <div class="text-secondary small">${machine.siteName} · ${machine.location} · ${machine.compressorType}</div>
      </div>
      ${
        device
          ? html`<div class="small text-end">
            <div>${t('device')}: ${device.name} <${Badge} kind=${device.online ? 'normal' : 'offline'} text=${device.online ? t('online') : t('offline')} /></div>
            <div class="text-secondary">${t('lastSeen')} ${formatAgo(device.lastSeen)}${device.firmware ? ` · ${t('firmware')} ${device.firmware}` : ''}${device.rssi != null ? ` · ${t('signal')} ${device.rssi} dBm` : ''}</div>
          </div>`
          : null
      }
    </div>
    <div class="row g-2 mb-3">
      <div class="col-6 col-md-3"><div class="card"><div class="card-body py-2">
        <div class="small text-secondary">${t('lastScore')}</div>
        <div class="fs-4 fw-semibold" data-testid="last-score">${fmtScore(device?.lastScore)}</div>
      </div></div></div>
      <div class="col-6 col-md-3"><div class="card"><div class="card-body py-2">
        <div class="small text-secondary">${t('edgeVerdict')}</div>
        <div class="fs-5"><${Badge} kind=${edgeState === 'alarm' ? 'alarm' : edgeState} text=${t(`state_${edgeState}`)} testid="edge-state" /></div>
      </div></div></div>
      <div class="col-6 col-md-3"><div class="card"><div class="card-body py-2">
        <div class="small text-secondary">${t('cloudVerdict')}</div>
        <div class="fs-6">${latestCloud ? html`<${Badge} kind=${latestCloud.cloudState ?? ''} text=${t(`state_${latestCloud.cloudState}`)} /> ${latestCloud.faultType ? faultName(latestCloud.faultType) : ''}` : html`<span class="text-secondary">${t('noCloudVerdict')}</span>`}</div>
      </div></div></div>
      <div class="col-6 col-md-3"><div class="card"><div class="card-body py-2">
        <div class="small text-secondary">${t('threshold')} / ${t('borderline')}</div>
        <div class="fs-5">${fmtScore(thresholds.alert)} / ${fmtScore(thresholds.borderlineLow)}</div>
      </div></div></div>
    </div>
    <section class="card mb-3"><div class="card-body">
      <div class="d-flex flex-wrap align-items-center gap-2 mb-2">
        <h2 class="h6 mb-0 me-auto">${t('timeline')}</h2>
        <div class="btn-group btn-group-sm" role="group">
          ${RANGES.map(
            ([k, ms]) =>
              html`<button type="button" data-testid=${`range-${k}`} class=${`btn btn-outline-secondary ${!span && rangeMs === ms ? 'active' : ''}`} onClick=${() => {
                setSpan(null);
                setRangeMs(ms);
              }}>${t(k)}</button>`,
          )}
        </div>
      </div>
      ${timeline.data ? html`<${Timeline} data=${timeline.data} cloud=${cloudMarks} onZoom=${(from: number, to: number) => setSpan({ from, to })} />` : html`<${Loading} error=${timeline.error} />`}
      <div class="small text-secondary">${t('zoomHint')} ${timeline.data ? html`· ${t('resolution')}: ${t(`res_${timeline.data.res}`)}` : null}</div>
    </div></section>
    <div class="row g-3">
      <section class="col-lg-5">
        <h2 class="h6">${t('alarmsForMachine')}</h2>
        ${
          alarms.data
            ? alarms.data.length === 0
              ? html`<p class="text-secondary small">${t('noAlarms')}</p>`
              : alarms.data
                  .slice(0, 20)
                  .map((a) => html`<${AlarmCard} key=${a.id} alarm=${a} users=${users.data ?? []} onChange=${alarms.reload} />`)
            : html`<${Loading} error=${alarms.error} />`
        }
      </section>
      <section class="col-lg-7">
        <h2 class="h6">${t('clips')}</h2>
        ${clips.data && clips.data.length === 0 ? html`<p class="text-secondary small">${t('noClips')}</p>` : null}
        <div class="list-group mb-2">
          ${(clips.data ?? []).slice(0, 30).map(
            (
              c,
            ) => html`<button type="button" class=${`list-group-item list-group-item-action d-flex flex-wrap gap-2 align-items-center ${openClip === c.id ? 'active' : ''}`}
              data-testid="clip" onClick=${() => setOpenClip(openClip === c.id ? null : c.id)}>
              <span class="me-auto">${t('clipAt')} ${formatTime(c.t)}</span>
              <span class="small">${t('edgeScore')} ${fmtScore(c.edgeScore)}</span>
              ${c.cloudState ? html`<${Badge} kind=${c.cloudState} text=${t(`state_${c.cloudState}`)} />` : null}
              ${c.faultType ? html`<span class="small">${faultName(c.faultType)}</span>` : null}
            </button>`,
          )}
        </div>
        ${openClip ? html`<${ClipPanel} id=${openClip} onLabelled=${clips.reload} />` : null}
      </section>
    </div>
  </div>`;
}
