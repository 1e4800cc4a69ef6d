import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema.ts';

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export { schema };

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Database {
  db: Db;
  client: Client;
  url: string;
  /**
   * Runs `fn` in one write transaction. Writers in this process queue behind each other because a
   * local libSQL file allows one writer; across instances on sqld the server serialises them.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): void;
}

/** Opens (creating the folder for a `file:` URL), sets pragmas and applies committed migrations. */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (file && file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  const client = createClient({ url, authToken });
  if (url.startsWith('file:')) {
    // WAL keeps readers off the writer's back; a committed transaction survives a process kill
    // with synchronous=NORMAL (only an OS crash could lose the last commits).
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA busy_timeout = 5000');
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  let tail: Promise<unknown> = Promise.resolve();
  return {
    db,
    client,
    url,
    write(fn) {
      const run = tail.then(() => db.transaction(fn));
      tail = run.catch(() => undefined);
      return run;
    },
    close() {
      client.close();
    },
  };
}
