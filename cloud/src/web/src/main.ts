import 'bootstrap/dist/css/bootstrap.min.css';
import './app.css';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { ApiError, api, setCsrf, setOnUnauthorized } from './api.ts';
import { html } from './html.ts';
import { AlarmsPage } from './pages/alarms.ts';
import { LoginPage, ResetPage, SignupPage } from './pages/auth.ts';
import { DevicesPage } from './pages/devices.ts';
import { FleetPage } from './pages/fleet.ts';
import { MachinePage } from './pages/machine.ts';
import { SettingsPage } from './pages/settings.ts';
import { registration } from './push.ts';
import { connectRealtime, disconnectRealtime } from './realtime.ts';
import { link, navigate, type SessionUser, state, t, update, useStore } from './store.ts';

// Links in e-mails use /app/#/reset?token=… and /app/#/signup?invite=…; make them real paths.
if (location.hash.startsWith('#/')) history.replaceState(null, '', `/app${location.hash.slice(1)}`);
update({ path: location.pathname + location.search });
document.documentElement.lang = state.locale;

const PUBLIC = ['/app/login', '/app/signup', '/app/reset'];

function NavLink({ to, label, id }: { to: string; label: string; id: string }) {
  const active = to === '/app/' ? state.path === '/app/' || state.path.startsWith('/app/machines') : state.path.startsWith(to);
  return html`<li class="nav-item"><a class=${`nav-link ${active ? 'active fw-semibold' : ''}`} href=${to} data-testid=${`nav-${id}`}
    onClick=${link(to)}>${label}</a></li>`;
}

function Page() {
  const p = state.path.split('?')[0];
  const m = /^\/app\/machines\/([^/]+)/.exec(p);
  if (m) return html`<${MachinePage} id=${decodeURIComponent(m[1])} />`;
  const a = /^\/app\/alarms\/([^/]+)/.exec(p);
  if (a || p.startsWith('/app/alarms')) return html`<${AlarmsPage} focus=${a ? decodeURIComponent(a[1]) : undefined} />`;
  if (p.startsWith('/app/devices')) return html`<${DevicesPage} />`;
  if (p.startsWith('/app/settings')) return html`<${SettingsPage} />`;
  return html`<${FleetPage} />`;
}

function App() {
  const s = useStore();
  const path = s.path.split('?')[0];
  useEffect(() => {
    setOnUnauthorized(() => {
      disconnectRealtime();
      update({ user: null });
      navigate('/app/login', true);
    });
    const verify = () =>
      api<{ user: SessionUser; csrfToken: string }>('GET', '/api/auth/verify').then(
        (r) => {
          setCsrf(r.csrfToken);
          update({
            user: r.user,
            ready: true,
            offline: false,
            locale: localStorage.getItem('sc-locale') ? state.locale : (r.user.locale ?? state.locale),
          });
          if (PUBLIC.includes(path)) navigate('/app/', true);
        },
        (err) => {
          // No network is not "signed out": keep the user where they are and retry when back online.
          if (err instanceof ApiError && err.status === 0) {
            update({ ready: true, offline: true });
            return;
          }
          update({ ready: true, offline: false });
          if (!PUBLIC.includes(path)) navigate('/app/login', true);
        },
      );
    void verify();
    window.addEventListener('online', () => state.offline && void verify());
    void registration()?.catch(() => undefined);
    // Relative times ("3 min ago") age on screen; this re-renders only, it fetches nothing.
    const tick = setInterval(() => update({}), 30_000);
    return () => clearInterval(tick);
  }, []);
  useEffect(() => {
    if (s.user) connectRealtime();
  }, [s.user]);
  useEffect(() => {
    document.title = `${t('appName')}`;
  }, [s.locale]);

  const toggleLocale = () => update({ locale: s.locale === 'ko' ? 'en' : 'ko' });
  const header = html`<nav class="navbar navbar-expand bg-body-tertiary border-bottom sticky-top">
    <div class="container-xl flex-wrap gap-1">
      <a class="navbar-brand fw-bold" href="/app/" onClick=${link(s.user ? '/app/' : '/app/login')}>${t('appName')}</a>
      ${
        s.user
          ? html`<ul class="navbar-nav me-auto flex-nowrap overflow-auto">
            <${NavLink} to="/app/" label=${t('navFleet')} id="fleet" />
            <${NavLink} to="/app/alarms" label=${t('navAlarms')} id="alarms" />
            <${NavLink} to="/app/devices" label=${t('navDevices')} id="devices" />
            <${NavLink} to="/app/settings" label=${t('navSettings')} id="settings" />
          </ul>`
          : html`<span class="navbar-text small me-auto d-none d-sm-inline">${t('tagline')}</span>`
      }
      <div class="d-flex gap-1">
        <button type="button" class="btn btn-sm btn-outline-secondary" onClick=${toggleLocale} data-testid="lang">${t('switchLanguage')}</button>
        ${
          s.user
            ? html`<button type="button" class="btn btn-sm btn-outline-secondary" data-testid="logout" onClick=${async () => {
                await api('POST', '/api/auth/logout', {}).catch(() => undefined);
                disconnectRealtime();
                update({ user: null });
                navigate('/app/login', true);
              }}>${t('signOut')}</button>`
            : null
        }
      </div>
    </div>
  </nav>`;
  let body: unknown;
  if (!s.ready) body = html`<p class="text-secondary">${t('loading')}</p>`;
  else if (s.offline)
    body = html`<div class="alert alert-warning" data-testid="offline-start">${t('offlineStart')}
      <button type="button" class="btn btn-sm btn-outline-secondary ms-2" onClick=${() => location.reload()}>${t('retry')}</button></div>`;
  else if (path === '/app/signup') body = html`<${SignupPage} />`;
  else if (path === '/app/reset') body = html`<${ResetPage} />`;
  else if (!s.user) body = html`<${LoginPage} />`;
  else body = html`<${Page} />`;
  return html`${header}
    ${s.user && !s.live ? html`<div class="alert alert-warning rounded-0 py-1 small mb-0 text-center" data-testid="offline-banner">${t('offlineBanner')}</div>` : null}
    <main class="container-xl py-3">${body}</main>`;
}

render(html`<${App} />`, document.getElementById('root') as HTMLElement);
