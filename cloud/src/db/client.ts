import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema.ts';
import { serialiseClient } from './serialise.ts';

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
export interface OpenOptions {
  authToken?: string;
  /**
   * 'full' (default): every commit is fsynced before the ack, so acknowledged data survives power
   * loss. 'normal' (WAL): commits reach the OS before the ack and survive a process crash, not a
   * power cut; several times the ingest throughput on slow disks.
   */
  synchronous?: 'full' | 'normal';
}

export async function openDatabase(url: string, opts: OpenOptions | string = {}): Promise<Database> {
  const { authToken, synchronous = 'full' } = typeof opts === 'string' ? { authToken: opts } : opts;
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (file && file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  const local = url.startsWith('file:');
  // busy timeout on every pooled connection (a PRAGMA would reach only the one that ran it); it
  // matters for other processes on the same file, this process serialises its own calls
  const raw = createClient({ url, authToken, timeout: 5000 });
  const client = local ? serialiseClient(raw, path.resolve(url.slice('file:'.length))) : raw;
  if (local) {
    // WAL (persistent for the file) keeps readers off the writer's back. The synchronous pragma is
    // per connection; because every call is serialised the pool keeps reusing one connection.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute(`PRAGMA synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
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
