import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { events } from '../db/schema.ts';

export const EVENT_TYPES = ['device-status', 'verdict', 'alarm', 'cloud-verdict'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface RealtimeEvent {
  id: number;
  orgId: string;
  type: EventType;
  data: unknown;
  createdAt: number;
}

export type Listener = (event: RealtimeEvent) => void;

/**
 * Fans realtime events out to the SSE streams of one organisation. Every event is first written to
 * the `events` table, so its id is global and any instance can replay it after `Last-Event-ID`.
 */
export interface Broadcaster {
  publish(orgId: string, type: EventType, data: unknown): Promise<RealtimeEvent>;
  /**
   * Writes the event inside the caller's transaction (one commit instead of two on the ingest path);
   * call `announce` with the result once that transaction has committed.
   */
  record(tx: Tx, orgId: string, type: EventType, data: unknown): Promise<RealtimeEvent>;
  announce(event: RealtimeEvent): void;
  subscribe(orgId: string, listener: Listener): () => void;
  /** Events of the org with id > afterId, oldest first (resume). */
  replay(orgId: string, afterId: number, limit?: number): Promise<RealtimeEvent[]>;
  close(): void;
}

function rowToEvent(r: typeof events.$inferSelect): RealtimeEvent {
  return { id: r.id, orgId: r.orgId, type: r.type as EventType, data: JSON.parse(r.data), createdAt: r.createdAt };
}

abstract class DbBackedBroadcaster implements Broadcaster {
  protected listeners = new Map<string, Set<Listener>>();
  constructor(protected db: Db) {}

  async publish(orgId: string, type: EventType, data: unknown): Promise<RealtimeEvent> {
    const event = await this.record(this.db, orgId, type, data);
    this.afterPublish(event);
    return event;
  }

  async record(tx: Tx | Db, orgId: string, type: EventType, data: unknown): Promise<RealtimeEvent> {
    const [row] = await tx
      .insert(events)
      .values({ orgId, type, data: JSON.stringify(data), createdAt: Date.now() })
      .returning();
    return rowToEvent(row);
  }

  announce(event: RealtimeEvent): void {
    this.afterPublish(event);
  }

  protected abstract afterPublish(event: RealtimeEvent): void;

  protected deliver(event: RealtimeEvent): void {
    for (const l of this.listeners.get(event.orgId) ?? []) {
      try {
        l(event);
      } catch {
        // a broken stream must not stop delivery to the others
      }
    }
  }

  subscribe(orgId: string, listener: Listener): () => void {
    let set = this.listeners.get(orgId);
    if (!set) {
      set = new Set();
      this.listeners.set(orgId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(orgId);
    };
  }

  async replay(orgId: string, afterId: number, limit = 500): Promise<RealtimeEvent[]> {
    const rows = await this.db
      .select()
      .from(events)
      .where(and(eq(events.orgId, orgId), gt(events.id, afterId)))
      .orderBy(asc(events.id))
      .limit(limit);
    return rows.map(rowToEvent);
  }

  async prune(olderThan: number): Promise<void> {
    await this.db.delete(events).where(lt(events.createdAt, olderThan));
  }

  close(): void {
    this.listeners.clear();
  }
}

/** One instance: deliver straight to this process's subscribers. */
export class InProcessBroadcaster extends DbBackedBroadcaster {
  protected afterPublish(event: RealtimeEvent): void {
    this.deliver(event);
  }
}

/**
 * Several instances on one libSQL server: every instance polls the shared `events` table and
 * delivers what any instance published. Latency is the poll interval; no extra broker needed.
 */
export class DbPollingBroadcaster extends DbBackedBroadcaster {
  private lastId = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private ready: Promise<void>;

  constructor(db: Db, intervalMs = 500) {
    super(db);
    this.ready = this.db
      .select({ id: sql<number | null>`max(${events.id})` })
      .from(events)
      .then(([row]) => {
        this.lastId = row?.id ?? 0;
      });
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  protected afterPublish(): void {
    void this.poll();
  }

  async poll(): Promise<void> {
    await this.ready;
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.db.select().from(events).where(gt(events.id, this.lastId)).orderBy(asc(events.id)).limit(1000);
      for (const r of rows) {
        this.lastId = r.id;
        this.deliver(rowToEvent(r));
      }
    } finally {
      this.polling = false;
    }
  }

  override close(): void {
    if (this.timer) clearInterval(this.timer);
    super.close();
  }
}
