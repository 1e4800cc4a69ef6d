import type { Client, Transaction, TransactionMode } from '@libsql/client';

/** A FIFO mutex: `acquire()` resolves to the release function. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/**
 * A local libSQL file is driven by synchronous native calls on the main thread. If one pooled
 * connection holds a write transaction across awaits, a statement on another connection spins in
 * SQLite's busy handler *on the same thread*, so the transaction can never finish: it fails with
 * SQLITE_BUSY after the timeout. Serialising every call (a transaction holds the lock until
 * commit/rollback) removes that self-deadlock and costs nothing, since the native calls could not
 * run in parallel anyway. Other processes still meet the busy timeout.
 */
const locks = new Map<string, Mutex>();

/** `key` names the database file: clients of the same file in one process share one lock. */
export function serialiseClient(client: Client, key: string): Client {
  let lock = locks.get(key);
  if (!lock) {
    lock = new Mutex();
    locks.set(key, lock);
  }
  const locked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const release = await lock!.acquire();
      try {
        return await fn(...args);
      } finally {
        release();
      }
    };
  const wrapped: Partial<Client> = {
    execute: locked(client.execute.bind(client)) as Client['execute'],
    batch: locked(client.batch.bind(client)) as Client['batch'],
    migrate: locked(client.migrate.bind(client)) as Client['migrate'],
    executeMultiple: locked(client.executeMultiple.bind(client)),
    async transaction(mode?: TransactionMode): Promise<Transaction> {
      const release = await lock!.acquire();
      let tx: Transaction;
      try {
        tx = await client.transaction(mode);
      } catch (err) {
        release();
        throw err;
      }
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          release();
        }
      };
      return new Proxy(tx, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === 'commit' || prop === 'rollback') {
            return async () => {
              try {
                return await (v as () => Promise<void>).call(target);
              } finally {
                finish();
              }
            };
          }
          if (prop === 'close') {
            return () => {
              try {
                (v as () => void).call(target);
              } finally {
                finish();
              }
            };
          }
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop in wrapped) return wrapped[prop as keyof Client];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
