export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** A minimal EventSource over fetch that records events; good enough to test our stream. */
export class SseClient {
  events: SseEvent[] = [];
  private controller = new AbortController();
  private waiters: (() => void)[] = [];
  status = 0;
  ended = false;

  constructor(
    readonly url: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async open(): Promise<this> {
    const res = await fetch(this.url, {
      headers: { accept: 'text/event-stream', ...this.headers },
      signal: this.controller.signal,
    });
    this.status = res.status;
    if (!res.ok || !res.body) {
      this.ended = true;
      return this;
    }
    void this.pump(res.body);
    await this.waitFor((e) => e.event === 'ready');
    return this;
  }

  private async pump(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let idx = buf.indexOf('\n\n');
        while (idx >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const ev: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'id') ev.id = v;
            else if (k === 'event') ev.event = v;
            else if (k === 'data') data.push(v);
          }
          if (data.length) {
            const text = data.join('\n');
            try {
              ev.data = JSON.parse(text);
            } catch {
              ev.data = text;
            }
            this.events.push(ev);
            for (const w of this.waiters.splice(0)) w();
          }
          idx = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  async waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (this.ended) throw new Error(`stream ended before the event arrived (got ${this.events.map((e) => e.event).join(',')})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event (got ${this.events.map((e) => e.event).join(',')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close() {
    this.controller.abort();
  }
}
