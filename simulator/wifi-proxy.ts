/**
 * Stands between the simulated devices and the cloud on loopback and plays the Wi-Fi: while a
 * device is "offline" its connections are cut before reaching the cloud, exactly what a device
 * sees when the access point is gone. A cloud that is down or restarting is passed through the
 * same way (connection cut), so the device's outbox does the rest.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WifiProxy {
  readonly url: string;
  /** Cuts (true) or restores (false) the link of the device holding `token`. */
  setOffline(token: string, offline: boolean): void;
  readonly stats: { forwarded: number; cut: number; upstreamDown: number };
  close(): Promise<void>;
}

export async function startWifiProxy(target: string): Promise<WifiProxy> {
  const upstream = new URL(target);
  const offline = new Set<string>();
  const stats = { forwarded: 0, cut: 0, upstreamDown: 0 };
  const server: Server = createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    if (offline.has(token)) {
      stats.cut++;
      req.socket.destroy();
      return;
    }
    const fwd = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        stats.forwarded++;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => {
      stats.upstreamDown++;
      req.socket.destroy();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setOffline(token, off) {
      if (off) offline.add(token);
      else offline.delete(token);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
