import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMessage, sampleRecipient } from '../testing/fixtures.ts';
import { startSmtpServer } from '../testing/smtp-server.ts';
import { createEmailChannel, emailConfigFromEnv } from './email.ts';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer({ user: 'mailer', pass: 's3cret' });
});
afterAll(() => smtp.close());

describe('email channel (nodemailer → in-process SMTP server)', () => {
  it('delivers a Korean message with subject and body in the recipient language', async () => {
    const ch = createEmailChannel({ smtpUrl: smtp.url, from: 'Signalcraft <alerts@signalcraft.test>' });
    const r = sampleRecipient();
    const m = sampleMessage('ko');
    const res = await ch.send(r, ch.targets(r)[0], m);
    ch.close();
    expect(res).toMatchObject({ ok: true });
    expect(res.providerMessageId).toMatch(/^<.+>$/);
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['kim@example.com']);
    expect(mail.from).toBe('alerts@signalcraft.test');
    expect(mail.subject).toBe('[긴급] 1번 냉동 압축기: 압축기 이상 소음');
    expect(mail.text).toContain('1번 냉동 압축기에 새 알람이 발생했습니다.');
    expect(mail.text).toContain('추정 원인: 베어링 마모 (신뢰도 81%)');
    expect(mail.text).toContain('http://127.0.0.1:8787/app/alarms/alarm-0001');
    expect(mail.html).toContain('<a href="http://127.0.0.1:8787/app/alarms/alarm-0001">');
    expect(mail.headers.get('x-signalcraft-alarm')).toBe('alarm-0001');
  });

  it('delivers English to an English-speaking user', async () => {
    const ch = createEmailChannel({ smtpUrl: smtp.url, from: 'alerts@signalcraft.test' });
    const res = await ch.send(sampleRecipient({ locale: 'en' }), 'lee@example.com', sampleMessage('en'));
    ch.close();
    expect(res.ok).toBe(true);
    const mail = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('[Critical] 1번 냉동 압축기: abnormal compressor sound');
    expect(mail.text).toContain('Likely cause: bearing wear (81% confidence)');
  });

  it('says retry for a 4xx SMTP reply and give up for a 5xx one', async () => {
    const ch = createEmailChannel({ smtpUrl: smtp.url, from: 'alerts@signalcraft.test' });
    smtp.script.push(451);
    const temp = await ch.send(sampleRecipient(), 'kim@example.com', sampleMessage('ko'));
    smtp.script.push(550);
    const perm = await ch.send(sampleRecipient(), 'kim@example.com', sampleMessage('ko'));
    ch.close();
    expect(temp).toMatchObject({ ok: false, permanent: false, httpStatus: 451 });
    expect(perm).toMatchObject({ ok: false, permanent: true, httpStatus: 550 });
    expect(perm.error).toMatch(/Mailbox unavailable/);
  });

  it('reports wrong credentials and an unreachable server as failures, not exceptions', async () => {
    const bad = createEmailChannel({ smtpUrl: smtp.url.replace('s3cret', 'wrong'), from: 'a@b.test' });
    const authFail = await bad.send(sampleRecipient(), 'kim@example.com', sampleMessage('ko'));
    bad.close();
    expect(authFail.ok).toBe(false);
    expect(authFail.error).toMatch(/EAUTH/);
    expect(authFail.error).not.toContain('wrong'); // no credentials in logs
    const down = createEmailChannel({ smtpUrl: 'smtp://127.0.0.1:1', from: 'a@b.test', timeoutMs: 2000 });
    const netFail = await down.send(sampleRecipient(), 'kim@example.com', sampleMessage('ko'));
    down.close();
    expect(netFail).toMatchObject({ ok: false, permanent: false });
  });

  it('refuses a malformed address without touching the network, and ignores users without one', async () => {
    const ch = createEmailChannel({ smtpUrl: smtp.url, from: 'a@b.test' });
    const before = smtp.mails.length;
    expect(await ch.send(sampleRecipient(), 'not an address', sampleMessage('ko'))).toMatchObject({ ok: false, permanent: true });
    expect(ch.targets(sampleRecipient({ email: null }))).toEqual([]);
    ch.close();
    expect(smtp.mails.length).toBe(before);
  });

  it('reads SMTP_URL and MAIL_FROM, and explains a bad SMTP_URL', () => {
    expect(emailConfigFromEnv({})).toBeNull();
    expect(emailConfigFromEnv({ SMTP_URL: 'smtp://u:p@mail.example.com:587', MAIL_FROM: 'x@y.z' })).toEqual({
      smtpUrl: 'smtp://u:p@mail.example.com:587',
      from: 'x@y.z',
    });
    expect(emailConfigFromEnv({ SMTP_URL: 'smtps://mail.example.com' })!.from).toBe('Signalcraft <alerts@mail.example.com>');
    expect(() => emailConfigFromEnv({ SMTP_URL: 'http://mail.example.com' })).toThrow(/smtp:\/\//);
    expect(() => emailConfigFromEnv({ SMTP_URL: 'nonsense' })).toThrow(/not a URL/);
  });
});
