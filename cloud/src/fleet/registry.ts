import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { devices, machines, orgs, sites } from '../db/schema.ts';
import { newId, newToken, sha256Hex } from '../ids.ts';

export interface NewDevice {
  name: string;
  siteName: string;
  machineName: string;
  compressorType: string;
  location?: string;
}

export async function createOrg(db: Db | Tx, name: string): Promise<string> {
  const id = newId('org');
  await db.insert(orgs).values({ id, name });
  return id;
}

/**
 * Registers a device under a site and machine (created when new, by name, within the org).
 * Returns the provisioning token once; only its sha256 is stored.
 */
export async function registerDevice(db: Db | Tx, orgId: string, input: NewDevice) {
  let [site] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.orgId, orgId), eq(sites.name, input.siteName)));
  if (!site)
    [site] = await db
      .insert(sites)
      .values({ id: newId('site'), orgId, name: input.siteName })
      .returning();
  const [machine] = await db
    .insert(machines)
    .values({
      id: newId('mch'),
      orgId,
      siteId: site.id,
      name: input.machineName,
      compressorType: input.compressorType,
      location: input.location ?? '',
    })
    .returning();
  const token = newToken();
  const [device] = await db
    .insert(devices)
    .values({ id: newId('dev', 6), orgId, machineId: machine.id, name: input.name, tokenHash: sha256Hex(token) })
    .returning();
  return { device, machine, site, token };
}
