/**
 * KakaoTalk "send to me" (나에게 보내기): POST {base}/v2/api/talk/memo/default/send with the user's
 * own OAuth access token (Kakao login with the talk_message consent) and a form field
 * `template_object` holding a JSON text template. Success: 200 {"result_code":0}; errors: {code, msg}.
 */
import { kakaoButtonTitle, kakaoText } from '../messages.ts';
import type { Channel, DeliveryResult, Recipient } from '../types.ts';
import { DEFAULT_TIMEOUT_MS, type FetchLike, parseRetryAfter, readJson, safeFetch } from './http.ts';

export interface KakaoConfig {
  /** Default https://kapi.kakao.com (tests point it at a local server). */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/**
 * Kakao's platform error codes that are worth retrying: internal error (-1), maintenance (-7),
 * quota (-10), platform timeout (-603), service check (-9798). Everything else (-401 expired token,
 * -402 missing consent, -501 not a KakaoTalk user, ...) needs a person to act.
 */
const TRANSIENT_KAKAO_CODES = new Set([-1, -7, -10, -603, -9798]);

export const kakaoTarget = (userId: string) => `kakao:${userId}`;

export function createKakaoChannel(cfg: KakaoConfig = {}): Channel {
  const fetchImpl: FetchLike = cfg.fetch ?? fetch;
  const url = `${(cfg.baseUrl ?? 'https://kapi.kakao.com').replace(/\/+$/, '')}/v2/api/talk/memo/default/send`;
  return {
    id: 'kakao',
    targets: (r: Recipient) => (r.kakaoAccessToken ? [kakaoTarget(r.userId)] : []),
    async send(r, _target, m): Promise<DeliveryResult> {
      if (!r.kakaoAccessToken) return { ok: false, permanent: true, error: 'no Kakao login for this user' };
      const template = {
        object_type: 'text',
        text: kakaoText(m),
        link: { web_url: m.url, mobile_web_url: m.url },
        button_title: kakaoButtonTitle(m.locale),
      };
      const res = await safeFetch(
        fetchImpl,
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${r.kakaoAccessToken}`,
            'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
          },
          body: new URLSearchParams({ template_object: JSON.stringify(template) }).toString(),
        },
        cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      if (!(res instanceof Response)) return res;
      const json = await readJson(res);
      if (res.status === 200 && json?.result_code === 0) return { ok: true, httpStatus: 200 };
      const code = typeof json?.code === 'number' ? json.code : undefined;
      const error = `kakao ${res.status}${code !== undefined ? ` code ${code}` : ''}: ${String(json?.msg ?? res.statusText).slice(0, 200)}`;
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      if (res.status >= 500 || res.status === 429 || (code !== undefined && TRANSIENT_KAKAO_CODES.has(code))) {
        return { ok: false, httpStatus: res.status, error, retryAfterMs };
      }
      if (code === -401 || res.status === 401) {
        const hint = `${error} (the user must sign in with Kakao again)`;
        return { ok: false, permanent: true, tokenExpired: true, httpStatus: res.status, error: hint };
      }
      return { ok: false, permanent: true, httpStatus: res.status, error };
    },
  };
}
