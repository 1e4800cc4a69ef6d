/**
 * A local server speaking Twilio's Messages API closely enough to exercise our adapter: path, basic
 * auth, form fields, and Twilio's success and error JSON shapes. `script` queues canned failures.
 */
import { randomBytes } from 'node:crypto';
import { sendJson, startHttp } from './http-server.ts';

export const TWILIO_TEST_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_TEST_TOKEN = 'test-auth-token';
/** Twilio's own magic test number for "invalid To". */
export const TWILIO_INVALID_NUMBER = '+15005550001';

export interface SentSms {
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  sid: string;
}

export async function startTwilioServer() {
  const sent: SentSms[] = [];
  const script: (429 | 500 | 503)[] = [];
  const srv = await startHttp((req, res) => {
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.path);
    if (req.method !== 'POST' || !m)
      return sendJson(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const expected = `Basic ${Buffer.from(`${TWILIO_TEST_SID}:${TWILIO_TEST_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected || m[1] !== TWILIO_TEST_SID) {
      return sendJson(res, 401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return sendJson(res, 415, { code: 20415, message: 'Unsupported Media Type', status: 415 });
    }
    const next = script.shift();
    if (next === 429) {
      return sendJson(
        res,
        429,
        { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 },
        { 'retry-after': '2' },
      );
    }
    if (next) return sendJson(res, next, { code: 20500, message: 'Internal Server Error', status: next });
    const form = new URLSearchParams(req.body);
    const to = form.get('To');
    const body = form.get('Body');
    if (!to || !body || (!form.get('From') && !form.get('MessagingServiceSid'))) {
      return sendJson(res, 400, {
        code: 21604,
        message: "A 'To' phone number is required.",
        more_info: 'https://www.twilio.com/docs/errors/21604',
        status: 400,
      });
    }
    if (to === TWILIO_INVALID_NUMBER) {
      return sendJson(res, 400, {
        code: 21211,
        message: `The 'To' number ${to} is not a valid phone number.`,
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      });
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    sent.push({ to, from: form.get('From'), messagingServiceSid: form.get('MessagingServiceSid'), body, sid });
    const now = new Date().toUTCString();
    sendJson(res, 201, {
      account_sid: TWILIO_TEST_SID,
      api_version: '2010-04-01',
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.get('From'),
      messaging_service_sid: form.get('MessagingServiceSid'),
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      to,
      uri: `/2010-04-01/Accounts/${TWILIO_TEST_SID}/Messages/${sid}.json`,
    });
  });
  return { ...srv, sent, script };
}
