import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import webpush from 'web-push';

export interface Secrets {
  sessionSecret: string;
  vapid: { publicKey: string; privateKey: string };
}

/**
 * Secrets generated on first start and kept in `DATA_DIR/secrets.json` (mode 0600). Several
 * instances must share this file's contents (or set the same values) so Kakao state cookies and
 * push subscriptions stay valid whichever instance answers.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<Secrets> {
  const file = path.join(dataDir, 'secrets.json');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) {
    const parsed = JSON.parse(existing) as Secrets;
    if (parsed.sessionSecret && parsed.vapid?.publicKey && parsed.vapid?.privateKey) return parsed;
    throw new Error(`${file} is incomplete: delete it to generate new secrets`);
  }
  const secrets: Secrets = { sessionSecret: randomBytes(32).toString('base64url'), vapid: webpush.generateVAPIDKeys() };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err) => {
    // another instance created it first: use theirs
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return JSON.parse(await readFile(file, 'utf8')) as Secrets;
}
