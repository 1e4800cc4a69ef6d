/**
 * One EventSource per tab on /api/notifications/stream. The browser resumes with Last-Event-ID by
 * itself after a drop; pages subscribe to event types. No polling anywhere.
 */
import { update } from './store.ts';

export type RealtimeType = 'verdict' | 'alarm' | 'device-status' | 'cloud-verdict';
type Listener = (data: any) => void;

const listeners = new Map<RealtimeType, Set<Listener>>();
let source: EventSource | null = null;

export function connectRealtime(): void {
  if (source) return;
  source = new EventSource('/api/notifications/stream');
  source.addEventListener('open', () => update({ live: true }));
  source.addEventListener('ready', () => {
    // A marker for tests and support: the stream is subscribed.
    document.body.dataset.sse = 'ready';
    update({ live: true });
  });
  source.addEventListener('error', () => update({ live: source?.readyState === EventSource.OPEN }));
  for (const type of ['verdict', 'alarm', 'device-status', 'cloud-verdict'] as const) {
    source.addEventListener(type, (ev) => {
      let data: unknown;
      try {
        data = JSON.parse((ev as MessageEvent).data);
      } catch {
        return;
      }
      for (const l of listeners.get(type) ?? []) l(data);
    });
  }
}

export function disconnectRealtime(): void {
  source?.close();
  source = null;
}

export function onRealtime(type: RealtimeType, fn: Listener): () => void {
  let set = listeners.get(type);
  if (!set) {
    set = new Set();
    listeners.set(type, set);
  }
  set.add(fn);
  return () => set?.delete(fn);
}
