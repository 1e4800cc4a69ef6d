/** A local server speaking Kakao's "send to me" memo API: bearer token, form-encoded template_object, {code,msg} errors. */
import { sendJson, startHttp } from './http-server.ts';

export interface SentKakao {
  token: string;
  template: { object_type: string; text: string; link: { web_url?: string; mobile_web_url?: string }; button_title?: string };
}

export async function startKakaoServer(opts: { validTokens: string[]; tokensWithoutConsent?: string[] }) {
  const sent: SentKakao[] = [];
  const script: (500 | 503)[] = [];
  const srv = await startHttp((req, res) => {
    if (req.method !== 'POST' || req.path !== '/v2/api/talk/memo/default/send')
      return sendJson(res, 404, { code: -1, msg: 'not found' });
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || (!opts.validTokens.includes(token) && !opts.tokensWithoutConsent?.includes(token))) {
      return sendJson(res, 401, { msg: 'this access token does not exist', code: -401 });
    }
    if (opts.tokensWithoutConsent?.includes(token)) {
      return sendJson(res, 403, {
        msg: 'insufficient scopes.',
        code: -402,
        api_type: 'TALK_MEMO_DEFAULT_SEND',
        required_scopes: ['talk_message'],
        allowed_scopes: ['profile_nickname'],
      });
    }
    const next = script.shift();
    if (next) return sendJson(res, next, { msg: 'service check', code: -9798 });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return sendJson(res, 400, { msg: 'content type must be form-urlencoded', code: -2 });
    }
    const raw = new URLSearchParams(req.body).get('template_object');
    let template: SentKakao['template'];
    try {
      template = JSON.parse(raw ?? '');
    } catch {
      return sendJson(res, 400, { msg: 'template_object is not valid JSON', code: -2 });
    }
    if (template.object_type !== 'text' || typeof template.text !== 'string' || template.text.length > 200 || !template.link) {
      return sendJson(res, 400, { msg: 'invalid text template', code: -2 });
    }
    sent.push({ token, template });
    sendJson(res, 200, { result_code: 0 });
  });
  return { ...srv, sent, script };
}
