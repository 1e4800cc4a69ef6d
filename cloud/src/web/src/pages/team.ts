import { useState } from 'preact/hooks';
import type { OrgUser } from '../alarm-card.ts';
import { api } from '../api.ts';
import { html } from '../html.ts';
import { t } from '../store.ts';
import { Loading, useLoad } from '../ui.ts';

/** Organisation members and invitations (admins and owners). */
export function TeamCard() {
  const users = useLoad(() => api<OrgUser[]>('GET', '/api/org/users'), []);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('technician');
  const [link, setLink] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  return html`<section class="card mb-3"><div class="card-body">
    <h2 class="h6">${t('team')}</h2>
    ${
      users.data
        ? html`<ul class="list-unstyled small mb-2">${users.data.map((u) => html`<li>${u.name} · ${u.email} · ${t(`role_${u.role}`)}</li>`)}</ul>`
        : html`<${Loading} error=${users.error} />`
    }
    <form class="d-flex flex-wrap gap-1" onSubmit=${async (e: Event) => {
      e.preventDefault();
      setErr(null);
      try {
        const r = await api<{ url: string }>('POST', '/api/org/invitations', { email, role });
        setLink(r.url);
        setEmail('');
      } catch (ex) {
        setErr((ex as Error).message);
      }
    }}>
      <input class="form-control form-control-sm w-auto flex-grow-1" type="email" required data-testid="invite-email" placeholder=${t('email')} aria-label=${t('email')} value=${email}
        onInput=${(e: Event) => setEmail((e.target as HTMLInputElement).value)} />
      <select class="form-select form-select-sm w-auto" aria-label=${t('role')} value=${role} onChange=${(e: Event) => setRole((e.target as HTMLSelectElement).value)}>
        ${['admin', 'technician', 'viewer'].map((r) => html`<option value=${r}>${t(`role_${r}`)}</option>`)}
      </select>
      <button class="btn btn-sm btn-outline-primary" type="submit" data-testid="invite-submit">${t('invite')}</button>
    </form>
    ${link ? html`<div class="small mt-2">${t('inviteLink')} <code class="user-select-all text-break" data-testid="invite-link">${link}</code></div>` : null}
    ${err ? html`<div class="text-danger small">${err}</div>` : null}
  </div></section>`;
}
