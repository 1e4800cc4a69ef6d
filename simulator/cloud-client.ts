/**
 * The few user-API calls the simulator makes to enrol its devices (contract F): sign in, then
 * register one device per simulated compressor and keep the provisioning token it is shown once.
 */
import type { DevicePlan } from './scenario.ts';

export class CloudUserSession {
  private constructor(
    private readonly base: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async signIn(base: string, email: string, password: string): Promise<CloudUserSession> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/auth/login', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    } catch (err) {
      throw new Error(`cannot reach the cloud at ${base} (${(err as Error).message}); is it running?`);
    }
    if (res.status === 401) throw new Error(`the cloud at ${base} refused ${email}: wrong email or password`);
    if (!res.ok) throw new Error(`sign-in failed at ${base}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return new CloudUserSession(base, cookie, body.csrfToken);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: { 'content-type': 'application/json', cookie: this.cookie, 'x-csrf-token': this.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async registerDevice(plan: DevicePlan, prefix: string): Promise<{ deviceId: string; token: string }> {
    const r = await this.call<{ device: { id: string }; provisioningToken: string }>('POST', '/api/devices', {
      name: `${prefix}-${String(plan.index + 1).padStart(3, '0')}`,
      siteName: plan.location,
      machineName: `${plan.name} (${prefix})`,
      compressorType: plan.compressorType,
      location: plan.location,
    });
    return { deviceId: r.device.id, token: r.provisioningToken };
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
}
