/**
 * Security (0) and Server (1) objects for a list of server accounts, so a client (or a device
 * simulator) needs one line per server: `...accountObjects([{ uri: 'coap://host:5683' }])`.
 */
import type { InstanceEnabler } from '../enabler/instance-enabler';
import type { ObjectDefinition } from '../enabler/object-enabler';
import { type SecurityInstanceOptions, securityInstance } from './security-object';
import { type ServerInstanceOptions, serverInstance } from './server-object';

export type AccountOptions =
  | ({ readonly bootstrap: true } & Omit<SecurityInstanceOptions, 'bootstrap' | 'shortServerId'>)
  | ({ readonly bootstrap?: false; readonly uri: string } & Partial<ServerInstanceOptions> &
      Omit<SecurityInstanceOptions, 'bootstrap' | 'uri'>);

/** Object 0 and 1 definitions: Short Server IDs default to 1, 2, ... in order. */
export function accountObjects(accounts: readonly AccountOptions[]): [ObjectDefinition, ObjectDefinition] {
  const security = new Map<number, InstanceEnabler>();
  const servers = new Map<number, InstanceEnabler>();
  let nextSsid = 1;
  for (const a of accounts) {
    if (a.bootstrap) {
      security.set(security.size, securityInstance({ ...a, bootstrap: true }));
      continue;
    }
    const shortServerId = a.shortServerId ?? nextSsid;
    nextSsid = Math.max(nextSsid, shortServerId) + 1;
    security.set(security.size, securityInstance({ ...a, bootstrap: false, shortServerId }));
    servers.set(servers.size, serverInstance({ ...a, shortServerId }));
  }
  return [
    { id: 0, instances: security },
    { id: 1, instances: servers },
  ];
}
