import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Capability URLs for clients without a session (e.g. `train-ensemble --labels-from URL`): an
 * HMAC-SHA256 over a purpose string and an expiry, keyed by the instance's session secret.
 */
export function signPurpose(secret: string, purpose: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${purpose}\n${expiresAt}`).digest('base64url');
}

export function verifyPurpose(secret: string, purpose: string, expiresAt: number, sig: string, now: number): boolean {
  if (!Number.isSafeInteger(expiresAt) || expiresAt < now) return false;
  const want = Buffer.from(signPurpose(secret, purpose, expiresAt));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
