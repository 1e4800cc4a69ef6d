import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { hashPassword } from './auth/password.ts';
import type { Db } from './db/client.ts';
import { devices, machines, orgs, sites, users } from './db/schema.ts';
import { registerDevice } from './fleet/registry.ts';
import { newId, newToken, sha256Hex } from './ids.ts';

export interface DemoDevice {
  id: string;
  name: string;
  machineId: string;
  machineName: string;
  siteName: string;
  token: string;
}

export interface DemoSeed {
  orgId: string;
  email: string;
  password: string;
  devices: DemoDevice[];
}

export const DEMO_EMAIL = 'demo@signalcraft.local';

const DEMO_MACHINES = [
  { siteName: '서울 성수 물류센터', machineName: '냉동창고 압축기 A', compressorType: 'scroll', location: '옥상 실외기 1' },
  { siteName: '서울 성수 물류센터', machineName: '냉동창고 압축기 B', compressorType: 'scroll', location: '옥상 실외기 2' },
  {
    siteName: '부산 해운대 마트',
    machineName: 'Walk-in cooler compressor',
    compressorType: 'reciprocating',
    location: 'back room',
  },
  { siteName: '부산 해운대 마트', machineName: '쇼케이스 압축기', compressorType: 'rotary', location: '매장 후면' },
  { siteName: '인천 식품공장', machineName: 'Blast freezer screw', compressorType: 'screw', location: 'plant room' },
  { siteName: '인천 식품공장', machineName: '제빙기 압축기', compressorType: 'reciprocating', location: '2층' },
];

/**
 * A demo organisation with an owner account and `count` devices, for `npm start`. Safe to call on
 * every start: the account's password and the devices' tokens are re-issued (only hashes are
 * stored, so the plain values exist only in what this returns).
 */
export async function seedDemo(db: Db, opts: { count?: number; password?: string; email?: string } = {}): Promise<DemoSeed> {
  const email = opts.email ?? DEMO_EMAIL;
  const password = opts.password ?? randomBytes(9).toString('base64url');
  const count = Math.max(0, Math.min(opts.count ?? 4, 50));
  const passwordHash = await hashPassword(password);
  let [user] = await db.select().from(users).where(eq(users.email, email));
  let orgId: string;
  if (user) {
    orgId = user.orgId;
    await db.update(users).set({ passwordHash }).where(eq(users.id, user.id));
  } else {
    orgId = newId('org');
    await db.insert(orgs).values({ id: orgId, name: 'Signalcraft 데모 냉동' });
    [user] = await db
      .insert(users)
      .values({ id: newId('usr'), orgId, email, name: '데모 관리자', passwordHash, role: 'owner', locale: 'ko' })
      .returning();
  }
  const existing = await db
    .select({
      id: devices.id,
      name: devices.name,
      machineId: devices.machineId,
      machineName: machines.name,
      siteName: sites.name,
    })
    .from(devices)
    .innerJoin(machines, eq(machines.id, devices.machineId))
    .innerJoin(sites, eq(sites.id, machines.siteId))
    .where(and(eq(devices.orgId, orgId), eq(devices.status, 'active')));
  const out: DemoDevice[] = [];
  for (const d of existing.slice(0, count)) {
    const token = newToken();
    await db
      .update(devices)
      .set({ tokenHash: sha256Hex(token) })
      .where(eq(devices.id, d.id));
    out.push({ ...d, token });
  }
  for (let i = out.length; i < count; i++) {
    const spec = DEMO_MACHINES[i % DEMO_MACHINES.length];
    const suffix = i >= DEMO_MACHINES.length ? ` #${Math.floor(i / DEMO_MACHINES.length) + 1}` : '';
    const { device, machine, site, token } = await registerDevice(db, orgId, {
      ...spec,
      machineName: spec.machineName + suffix,
      name: `SC-${String(i + 1).padStart(3, '0')}`,
    });
    out.push({ id: device.id, name: device.name, machineId: machine.id, machineName: machine.name, siteName: site.name, token });
  }
  return { orgId, email, password, devices: out };
}
