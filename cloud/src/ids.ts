import { createHash, randomBytes } from 'node:crypto';

/** Short prefixed ids (`dev_…`) so a log line says what kind of thing an id names. */
export const newId = (prefix: string, bytes = 8) => `${prefix}_${randomBytes(bytes).toString('hex')}`;

/** 32 random bytes, base64url: provisioning, session, invitation and reset tokens. */
export const newToken = () => randomBytes(32).toString('base64url');

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
