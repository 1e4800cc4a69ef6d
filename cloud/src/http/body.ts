import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, schemaError } from '../errors.ts';

/** Reads at most `limit` bytes of the body, answering 413 as soon as it is known to be larger. */
export async function readBody(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

const tooLarge = (limit: number) => new ApiError(413, 'too_large', `request body is larger than the ${limit}-byte limit`);

export function requireJsonContentType(c: Context): void {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, 'unsupported_media_type', `send the body as application/json (got ${type || 'no content-type'})`);
  }
}

/** Content type, size limit, JSON syntax, then the schema: each failure has its own status and code. */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  what: string,
  limit = 64 * 1024,
): Promise<z.output<S>> {
  requireJsonContentType(c);
  const bytes = await readBody(c, limit);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ApiError(400, 'malformed_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw schemaError(parsed.error, what);
  return parsed.data;
}

/** Validates query parameters the same way as bodies (422 with the failing parameter). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S, what: string): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw schemaError(parsed.error, what);
  return parsed.data;
}
