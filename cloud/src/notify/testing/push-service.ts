/**
 * An in-process web push service (web-push-testing's model and express app), bound to 127.0.0.1 on
 * a random port. It checks VAPID, decrypts payloads and answers 410 for expired subscriptions.
 */

import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { WebPushSubscription } from '../types.ts';

const require = createRequire(import.meta.url);

interface PushModel {
  notifyUrl: string;
  subscribe(o: { userVisibleOnly: string; applicationServerKey: string }): Promise<WebPushSubscription & { clientHash: string }>;
  getNotifications(o: { clientHash: string }): { messages: string[] };
  expireSubscription(clientHash: string): void;
}

export async function startPushService() {
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js');
  const Server = require('web-push-testing/src/server.js');
  const model: PushModel = new PushApiModel();
  const srv = new Server(model, 0);
  const script: number[] = [];
  srv._app.use(
    (
      _req: unknown,
      res: { status(n: number): { set(h: Record<string, string>): { send(b: string): void } } },
      next: () => void,
    ) => {
      const status = script.shift();
      if (status) res.status(status).set({ 'retry-after': '1' }).send('try later');
      else next();
    },
  );
  srv.setRequestHandlers();
  const http = srv._app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', resolve));
  const { port } = http.address() as AddressInfo;
  model.notifyUrl = `http://127.0.0.1:${port}/notify/`;
  const hashes = new Map<string, string>();
  return {
    script,
    async subscribe(vapidPublicKey: string): Promise<WebPushSubscription> {
      const { clientHash, ...sub } = await model.subscribe({ userVisibleOnly: 'true', applicationServerKey: vapidPublicKey });
      hashes.set(sub.endpoint, clientHash);
      return sub;
    },
    /** Decrypted payloads received for a subscription. */
    received(endpoint: string): string[] {
      return model.getNotifications({ clientHash: hashes.get(endpoint)! }).messages;
    },
    expire(endpoint: string): void {
      model.expireSubscription(hashes.get(endpoint)!);
    },
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
