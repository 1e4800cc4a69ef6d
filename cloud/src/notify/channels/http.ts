/** Small pieces the HTTP-based channels share: timeouts, Retry-After, error classification. */
import type { DeliveryResult } from '../types.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Seconds or an HTTP date → ms from now; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network failures and timeouts are worth retrying; the message never includes credentials. */
export async function safeFetch(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response | DeliveryResult> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const what = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, error: `request to ${new URL(url).host} failed: ${what}` };
  }
}

export async function readJson(res: Response): Promise<Record<string, unknown> | null> {
  const text = await res.text().catch(() => '');
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The default reading of an HTTP failure: 408/429/5xx may pass, other 4xx will not. */
export function classifyStatus(status: number): { permanent: boolean } {
  return { permanent: status >= 400 && status < 500 && status !== 408 && status !== 429 };
}
