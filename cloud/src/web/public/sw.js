// Signalcraft dashboard service worker: shows alarm pushes, opens the alarm on click, and keeps the
// app shell available offline (the API itself is never cached: live data only).
const SHELL = 'sc-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(['/app/', '/app/manifest.webmanifest', '/app/icon-192.png']))
      .catch(() => undefined),
  );
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/app/')) return;
  // Network first so deploys show up at once; the cache is only a fallback when offline.
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok && (event.request.mode === 'navigate' || url.pathname.startsWith('/app/assets/'))) {
          const copy = res.clone();
          caches.open(SHELL).then((c) => c.put(event.request.mode === 'navigate' ? '/app/' : event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request.mode === 'navigate' ? '/app/' : event.request).then((r) => r || Response.error())),
  );
});

self.addEventListener('push', (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = { title: 'Signalcraft', body: event.data ? event.data.text() : '' };
  }
  const title = p.title || 'Signalcraft';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: p.body || '',
      tag: p.tag,
      renotify: Boolean(p.tag),
      requireInteraction: Boolean(p.requireInteraction),
      icon: '/app/icon-192.png',
      badge: '/app/icon-192.png',
      data: { url: p.url || '/app/alarms', alarmId: p.alarmId },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = event.notification.data?.url || '/app/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) {
        if (c.url.startsWith(self.registration.scope)) {
          c.navigate(target);
          return c.focus();
        }
      }
      return self.clients.openWindow(target);
    }),
  );
});
