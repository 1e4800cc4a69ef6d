import 'bootstrap/dist/css/bootstrap.min.css';
import { FlashError, flashFirmware } from '../src/flash.ts';
import { ImprovParser } from '../src/improv.ts';
import { ImprovClient, ImprovRpcError } from '../src/improv-client.ts';
import { buildForChip, type Manifest, parseManifest } from '../src/manifest.ts';
import { SerialLink, type SerialPortLike } from '../src/transport.ts';
import { type Locale, type MessageKey, pickLocale, translate } from './i18n.ts';

interface WebSerial {
  requestPort(opts?: unknown): Promise<SerialPortLike>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let locale: Locale = pickLocale(localStorage.getItem('sc-locale'), navigator.languages ?? [navigator.language]);
const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);

function applyLocale(): void {
  document.documentElement.lang = locale;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as MessageKey);
  document.title = t('title');
}

$('lang').addEventListener('click', () => {
  locale = locale === 'en' ? 'ko' : 'en';
  localStorage.setItem('sc-locale', locale);
  applyLocale();
});
applyLocale();

const serial = (navigator as Navigator & { serial?: WebSerial }).serial;
if (!serial) {
  $('no-serial').hidden = false;
  if (!window.isSecureContext) $('no-serial').append(Object.assign(document.createElement('p'), { textContent: t('insecure') }));
  for (const id of ['install', 'provision-only']) ($(id) as HTMLButtonElement).disabled = true;
}

// Provisioning values handed over by the dashboard's "flash this device" link. They ride in the
// fragment so the token never reaches a server log.
const params = new URLSearchParams(location.hash.slice(1));
const query = new URLSearchParams(location.search);
($('cloud') as HTMLInputElement).value = params.get('cloud') ?? query.get('cloud') ?? location.origin;
const deviceId = params.get('device') ?? query.get('device') ?? undefined;
($('token') as HTMLInputElement).value = params.get('token') ?? '';

const manifestUrl = new URL(query.get('manifest') ?? '../firmware/manifest.json', location.href);
let manifest: Manifest | null = null;

function status(id: string, text: string, kind: 'info' | 'success' | 'danger' = 'info', extra?: HTMLElement): void {
  const el = $(id);
  el.className = `mt-2 alert alert-${kind} py-2`;
  el.textContent = text;
  if (extra) el.append(' ', extra);
}

async function loadManifest(): Promise<void> {
  const sel = $('firmware') as HTMLSelectElement;
  sel.innerHTML = `<option>${t('loadingManifest')}</option>`;
  try {
    const res = await fetch(manifestUrl);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${manifestUrl.pathname}`);
    manifest = parseManifest(await res.json(), manifestUrl.pathname);
    sel.innerHTML = '';
    for (const b of manifest.builds)
      sel.append(new Option(`${manifest.name} ${manifest.version} · ${b.chipFamily}`, b.chipFamily));
  } catch (err) {
    sel.innerHTML = '';
    status('flash-status', `${t('manifestFailed')}: ${(err as Error).message}. ${t('manifestHint')}`, 'danger');
  }
}
void loadManifest();

const monitor = $('monitor');
const decoder = new TextDecoder();
function monitorWrite(text: string): void {
  monitor.textContent += text.replace(/\r/g, '');
  if (monitor.textContent.length > 50_000) monitor.textContent = monitor.textContent.slice(-40_000);
  monitor.scrollTop = monitor.scrollHeight;
}
$('clear').addEventListener('click', () => {
  monitor.textContent = '';
});

let port: SerialPortLike | null = null;
let link: SerialLink | null = null;
let improv: ImprovClient | null = null;

async function choosePort(): Promise<SerialPortLike | null> {
  if (!serial) return null;
  if (port) return port;
  try {
    port = await serial.requestPort();
    return port;
  } catch {
    status('flash-status', t('cancelled'), 'info');
    return null;
  }
}

async function openLink(p: SerialPortLike): Promise<ImprovClient> {
  if (improv && link) return improv;
  link = new SerialLink(p);
  await link.open(115200);
  // Improv frames are binary: the monitor shows only the log text between them.
  const frames = new ImprovParser(undefined, (text) => monitorWrite(decoder.decode(text, { stream: true })));
  link.onData((b) => frames.push(b));
  improv = new ImprovClient(link, 4000);
  return improv;
}

async function closeLink(): Promise<void> {
  improv?.dispose();
  improv = null;
  await link?.close();
  link = null;
}

const HINTS: Record<FlashError['kind'], MessageKey> = {
  'no-bootloader': 'hintHoldBoot',
  'port-busy': 'hintPortBusy',
  timeout: 'hintTimeout',
  verify: 'hintVerify',
  'chip-mismatch': 'hintOther',
  other: 'hintOther',
};

/** A provisioning failure in the page's language, with the device's own words after it. */
function improvMessage(err: unknown): string {
  const raw = (err as Error).message;
  if (!(err instanceof ImprovRpcError)) return raw;
  const key: MessageKey =
    err.code === 'timeout' ? 'improvTimeout' : err.code === 0x03 ? 'improvUnableToConnect' : 'improvInvalid';
  return `${t(key)} (${raw})`;
}

async function install(baudRate: number): Promise<void> {
  const p = await choosePort();
  if (!p || !manifest) return;
  await closeLink();
  const m = manifest;
  const bar = $('progress');
  $('progress-wrap').hidden = false;
  bar.style.width = '0%';
  status('flash-status', t('connecting'));
  try {
    // Overall progress weights each image by its size; esptool-js reports bytes of the
    // (compressed) stream per image.
    let sizes: number[] = [];
    await flashFirmware(
      p,
      async (chip) => {
        const build = buildForChip(m, chip);
        const images = await Promise.all(
          build.parts.map(async (part) => {
            const res = await fetch(new URL(part.path, manifestUrl));
            if (!res.ok) throw new Error(`HTTP ${res.status} for ${part.path}`);
            return { address: part.offset, data: new Uint8Array(await res.arrayBuffer()), name: part.path };
          }),
        );
        sizes = images.map((i) => i.data.length);
        return images;
      },
      { baudRate },
      {
        step: (s) => monitorWrite(`[flasher] ${s}\n`),
        log: (l) => monitorWrite(`${l}\n`),
        progress: (i, written, total) => {
          const all = sizes.reduce((a, b) => a + b, 0) || 1;
          const before = sizes.slice(0, i).reduce((a, b) => a + b, 0);
          const frac = (before + (sizes[i] ?? 0) * (total > 0 ? written / total : 0)) / all;
          bar.style.width = `${Math.min(100, Math.round(frac * 100))}%`;
          status(
            'flash-status',
            `${t('writing')} ${i + 1}/${sizes.length}: ${Math.round((written / Math.max(1, total)) * 100)}%`,
          );
        },
      },
    );
    bar.style.width = '100%';
    status('flash-status', t('done'), 'success');
    await openLink(p);
  } catch (err) {
    const fe = err instanceof FlashError ? err : null;
    let retry: HTMLElement | undefined;
    if (fe?.kind === 'timeout' && baudRate > 115200) {
      const lower = Math.max(115200, baudRate / 4);
      retry = Object.assign(document.createElement('button'), {
        className: 'btn btn-sm btn-outline-danger',
        textContent: t('retryLower', { baud: lower }),
        onclick: () => {
          ($('baud') as HTMLSelectElement).value = String(lower);
          void install(lower);
        },
      });
    }
    const hint = t(HINTS[fe?.kind ?? 'other']);
    status('flash-status', `${t('failed')}: ${(err as Error).message.split('\n')[0]}. ${hint}`, 'danger', retry);
    if (fe?.kind === 'port-busy') port = null;
  }
}

$('install').addEventListener('click', () => void install(Number(($('baud') as HTMLSelectElement).value)));
$('provision-only').addEventListener('click', async () => {
  const p = await choosePort();
  if (p) await openLink(p).catch((e) => status('provision-status', `${t('provisionFailed')}: ${improvMessage(e)}`, 'danger'));
});

$('scan').addEventListener('click', async () => {
  const p = await choosePort();
  if (!p) return;
  try {
    const client = await openLink(p);
    const nets = await client.scanNetworks();
    const list = $('ssids');
    list.innerHTML = '';
    for (const n of nets) list.append(new Option(`${n.rssi} dBm${n.secured ? ' 🔒' : ''}`, n.ssid));
    if (nets[0] && !($('ssid') as HTMLInputElement).value) ($('ssid') as HTMLInputElement).value = nets[0].ssid;
  } catch (err) {
    status('provision-status', `${t('provisionFailed')}: ${improvMessage(err)}`, 'danger');
  }
});

$('provision-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  if (!form.checkValidity()) {
    form.classList.add('was-validated');
    return;
  }
  const p = await choosePort();
  if (!p) return;
  status('provision-status', t('provisioning'));
  try {
    const client = await openLink(p);
    const info = await client.getDeviceInfo();
    $('device-info').textContent = `${t('device')}: ${info.name} · ${info.firmware} ${info.version} · ${info.chip}`;
    // Cloud first: the device then has everything it needs the moment Wi-Fi comes up (and may
    // restart after Improv's Wi-Fi step).
    await client.setCloud(($('cloud') as HTMLInputElement).value, ($('token') as HTMLInputElement).value.trim(), deviceId);
    const redirect = await client.provisionWifi(($('ssid') as HTMLInputElement).value, ($('password') as HTMLInputElement).value);
    // The firmware answers Wi-Fi provisioning with its dashboard URL; only http(s) links are shown.
    const dashboard = redirect && /^https?:\/\//.test(redirect) ? redirect : null;
    const open = dashboard
      ? Object.assign(document.createElement('a'), {
          href: dashboard,
          textContent: t('openDashboard'),
          target: '_blank',
          rel: 'noopener',
        })
      : undefined;
    if (open) open.dataset.testid = 'open-dashboard';
    status('provision-status', t('provisioned'), 'success', open);
  } catch (err) {
    status('provision-status', `${t('provisionFailed')}: ${improvMessage(err)}`, 'danger');
  }
});
