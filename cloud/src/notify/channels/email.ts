/** Email over SMTP with nodemailer. Config: SMTP_URL (smtp:// or smtps://user:pass@host:port) and MAIL_FROM. */
import nodemailer from 'nodemailer';
import type { Channel, DeliveryResult, Recipient, RenderedMessage } from '../types.ts';

export interface EmailConfig {
  smtpUrl: string;
  from: string;
  /** Socket timeouts in ms (connection, greeting, idle). Default 15 s. */
  timeoutMs?: number;
}

export function emailConfigFromEnv(env: Record<string, string | undefined>): EmailConfig | null {
  if (!env.SMTP_URL) return null;
  let url: URL;
  try {
    url = new URL(env.SMTP_URL);
  } catch {
    throw new Error('SMTP_URL is not a URL; use smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}//`);
  }
  const from = env.MAIL_FROM ?? `Signalcraft <alerts@${url.hostname}>`;
  return { smtpUrl: env.SMTP_URL, from };
}

const EMAIL_RE = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function html(m: RenderedMessage): string {
  const body = escapeHtml(m.body)
    .split('\n')
    .map((l) =>
      l.includes(escapeHtml(m.url)) ? l.replace(escapeHtml(m.url), `<a href="${escapeHtml(m.url)}">${escapeHtml(m.url)}</a>`) : l,
    )
    .join('<br>\n');
  return `<!doctype html><html lang="${m.locale}"><body style="font-family:sans-serif"><h2>${escapeHtml(m.title)}</h2><p>${body}</p></body></html>`;
}

/** SMTP reply codes: 5xx is a definite no (bad mailbox, rejected), 4xx and network trouble may pass. */
function classify(err: unknown): DeliveryResult {
  const e = err as Error & { responseCode?: number; code?: string; response?: string };
  // EENVELOPE without a reply code is our own bad envelope; with one, the code decides.
  const permanent = e.responseCode !== undefined ? e.responseCode >= 500 : e.code === 'EENVELOPE';
  const detail = e.response ?? e.message;
  return { ok: false, permanent, error: `smtp: ${e.code ?? 'error'} ${detail}`.slice(0, 300), httpStatus: e.responseCode };
}

export function createEmailChannel(cfg: EmailConfig): Channel & { close(): void } {
  const timeout = cfg.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    url: cfg.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    id: 'email',
    targets: (r: Recipient) => (r.email && EMAIL_RE.test(r.email) ? [r.email] : []),
    async send(_r, target, m) {
      if (!EMAIL_RE.test(target)) return { ok: false, permanent: true, error: `not an email address: ${target}` };
      try {
        const info = await transport.sendMail({
          from: cfg.from,
          to: target,
          subject: m.title,
          text: m.body,
          html: html(m),
          headers: { 'X-Signalcraft-Alarm': m.alarmId, 'Content-Language': m.locale },
        });
        if (info.rejected.length > 0) return { ok: false, permanent: true, error: `smtp rejected ${target}` };
        return { ok: true, providerMessageId: info.messageId };
      } catch (err) {
        return classify(err);
      }
    },
    close: () => transport.close(),
  };
}
