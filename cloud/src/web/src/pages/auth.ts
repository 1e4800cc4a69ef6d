import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { link, navigate, type SessionUser, t, update } from '../store.ts';

function AuthCard({ title, children }: { title: string; children: unknown }) {
  return html`<div class="row justify-content-center mt-4">
    <div class="col-md-6 col-lg-5">
      <div class="card shadow-sm"><div class="card-body p-4">
        <h1 class="h4 mb-3">${title}</h1>
        ${children}
      </div></div>
    </div>
  </div>`;
}

function useForm<T extends Record<string, string>>(init: T) {
  const [v, setV] = useState(init);
  const bind = (k: keyof T) => ({
    value: v[k],
    onInput: (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value }),
  });
  return { v, bind };
}

async function signedIn(res: { user: SessionUser }) {
  const verify = await api<{ user: SessionUser }>('GET', '/api/auth/verify');
  update({ user: verify.user ?? res.user, locale: (verify.user ?? res.user).locale ?? undefined });
  navigate('/app/', true);
}

export function LoginPage() {
  const { v, bind } = useForm({ email: '', password: '' });
  const [err, setErr] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      await signedIn(await api('POST', '/api/auth/login', v));
    } catch (ex) {
      setErr((ex as Error).message);
    }
  };
  return html`<${AuthCard} title=${t('signInTitle')}>
    <form onSubmit=${submit} data-testid="login-form">
      <div class="mb-3"><label class="form-label" for="email">${t('email')}</label>
        <input id="email" class="form-control" type="email" autocomplete="username" required ...${bind('email')} /></div>
      <div class="mb-3"><label class="form-label" for="password">${t('password')}</label>
        <input id="password" class="form-control" type="password" autocomplete="current-password" required ...${bind('password')} /></div>
      ${err ? html`<div class="alert alert-danger py-2" role="alert">${err}</div>` : null}
      <button class="btn btn-primary w-100" type="submit" data-testid="login-submit">${t('signIn')}</button>
    </form>
    <a class="btn w-100 mt-2" style="background:#FEE500;color:#191919" href="/api/auth/kakao" data-testid="kakao">${t('signInKakao')}</a>
    <div class="d-flex justify-content-between mt-3 small">
      <a href="/app/reset" onClick=${link('/app/reset')}>${t('forgotPassword')}</a>
      <span>${t('noAccount')} <a href="/app/signup" onClick=${link('/app/signup')}>${t('createAccount')}</a></span>
    </div>
  <//>`;
}

export function SignupPage() {
  const q = new URLSearchParams(location.search);
  const invite = q.get('invite');
  const { v, bind } = useForm({ email: q.get('email') ?? '', password: '', name: '', orgName: '' });
  const [err, setErr] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      const body = invite ? { email: v.email, password: v.password, name: v.name, inviteToken: invite } : v;
      await signedIn(await api('POST', '/api/auth/signup', body));
    } catch (ex) {
      setErr((ex as Error).message);
    }
  };
  return html`<${AuthCard} title=${t('signUpTitle')}>
    ${invite ? html`<div class="alert alert-info py-2">${t('invitedTo')}</div>` : null}
    <form onSubmit=${submit}>
      <div class="mb-3"><label class="form-label" for="su-name">${t('name')}</label>
        <input id="su-name" class="form-control" required ...${bind('name')} /></div>
      <div class="mb-3"><label class="form-label" for="su-email">${t('email')}</label>
        <input id="su-email" class="form-control" type="email" required ...${bind('email')} /></div>
      <div class="mb-3"><label class="form-label" for="su-pw">${t('password')}</label>
        <input id="su-pw" class="form-control" type="password" minlength="10" autocomplete="new-password" required ...${bind('password')} />
        <div class="form-text">${t('passwordHint')}</div></div>
      ${
        invite
          ? null
          : html`<div class="mb-3"><label class="form-label" for="su-org">${t('orgName')}</label>
        <input id="su-org" class="form-control" required ...${bind('orgName')} /></div>`
      }
      ${err ? html`<div class="alert alert-danger py-2" role="alert">${err}</div>` : null}
      <button class="btn btn-primary w-100" type="submit">${t('signUp')}</button>
    </form>
    <p class="small mt-3 mb-0">${t('haveAccount')} <a href="/app/login" onClick=${link('/app/login')}>${t('signIn')}</a></p>
  <//>`;
}

export function ResetPage() {
  const token = new URLSearchParams(location.search).get('token');
  const { v, bind } = useForm({ email: '', password: '' });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      if (token) {
        await api('POST', '/api/auth/password-reset/confirm', { token, password: v.password });
        setMsg({ ok: true, text: t('passwordChanged') });
      } else {
        await api('POST', '/api/auth/password-reset/request', { email: v.email });
        setMsg({ ok: true, text: t('resetSent') });
      }
    } catch (ex) {
      setMsg({ ok: false, text: (ex as Error).message });
    }
  };
  return html`<${AuthCard} title=${t('resetTitle')}>
    <form onSubmit=${submit}>
      ${
        token
          ? html`<div class="mb-3"><label class="form-label" for="rp-pw">${t('newPassword')}</label>
            <input id="rp-pw" class="form-control" type="password" minlength="10" required ...${bind('password')} /></div>`
          : html`<div class="mb-3"><label class="form-label" for="rp-email">${t('email')}</label>
            <input id="rp-email" class="form-control" type="email" required ...${bind('email')} /></div>`
      }
      ${msg ? html`<div class=${`alert py-2 alert-${msg.ok ? 'success' : 'danger'}`}>${msg.text}</div>` : null}
      <button class="btn btn-primary w-100" type="submit">${token ? t('setPassword') : t('sendResetLink')}</button>
    </form>
    <p class="small mt-3 mb-0"><a href="/app/login" onClick=${link('/app/login')}>${t('signIn')}</a></p>
  <//>`;
}
