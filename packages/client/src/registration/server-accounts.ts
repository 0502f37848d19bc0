/**
 * Server accounts from the Security (0) and Server (1) objects: one registration per Server
 * instance, with its URI from the Security instance of the same Short Server ID, and the
 * bootstrap account from the Security instance marked Bootstrap-Server.
 */
import type { LwM2mValue } from '@lwm2m-ts/objects';
import { isMultipleContent, LOCAL } from '../enabler/instance-enabler';
import type { ObjectTree } from '../tree/object-tree';

/** Security (0) resources. */
export const SEC = {
  URI: 0,
  BOOTSTRAP: 1,
  MODE: 2,
  IDENTITY: 3,
  SERVER_KEY: 4,
  SECRET: 5,
  SSID: 10,
  HOLD_OFF: 11,
  BS_TIMEOUT: 12,
  /** OSCORE Security Mode (1.1+): objlnk to the OSCORE (21) instance. */
  OSCORE: 17,
} as const;

/** Server (1) resources. */
export const SRV = {
  SSID: 0,
  LIFETIME: 1,
  DEFAULT_PMIN: 2,
  DEFAULT_PMAX: 3,
  DISABLE: 4,
  DISABLE_TIMEOUT: 5,
  STORE_NOTIFICATIONS: 6,
  BINDING: 7,
  UPDATE_TRIGGER: 8,
  BOOTSTRAP_TRIGGER: 9,
  BOOTSTRAP_ON_FAILURE: 16,
  RETRY_COUNT: 17,
  RETRY_TIMER: 18,
  SEQUENCE_DELAY: 19,
  SEQUENCE_RETRY_COUNT: 20,
  MUTE_SEND: 23,
} as const;

export interface ServerAccount {
  readonly shortServerId: number;
  readonly serverInstanceId: number;
  readonly securityInstanceId: number;
  readonly uri: string;
  /** Seconds. */
  readonly lifetime: number;
  readonly binding: string;
  readonly defaultPmin: number | undefined;
  readonly defaultPmax: number | undefined;
  readonly muteSend: boolean;
  readonly storeNotifications: boolean;
  readonly bootstrapOnFailure: boolean;
  /** Communication Retry Count / Timer (s) / Sequence Delay Timer (s) / Sequence Retry Count. */
  readonly retryCount: number;
  readonly retryTimer: number;
  readonly sequenceDelay: number;
  readonly sequenceRetryCount: number;
  /** Disable Timeout (s): how long Disable (/1/x/4) keeps the server off. */
  readonly disableTimeout: number;
}

export interface BootstrapAccount {
  readonly securityInstanceId: number;
  readonly uri: string;
  /** Client Hold Off Time (s) before a client-initiated bootstrap. */
  readonly holdOff: number;
  /** Bootstrap-Server Account Timeout (s); 0 = keep forever. */
  readonly accountTimeout: number;
}

type Values = ReadonlyMap<number, LwM2mValue>;

async function instanceValues(tree: ObjectTree, objectId: number): Promise<Map<number, Values>> {
  const out = new Map<number, Values>();
  const object = tree.get(objectId);
  if (!object) return out;
  for (const id of object.instanceIds()) {
    const instance = object.instance(id);
    if (!instance) continue;
    const values = new Map<number, LwM2mValue>();
    for (const rid of instance.resourceIds()) {
      const c = await instance.read(rid, LOCAL);
      if (c !== undefined && !isMultipleContent(c)) values.set(rid, c);
    }
    out.set(id, values);
  }
  return out;
}

const num = (v: Values, id: number): number | undefined => {
  const x = v.get(id)?.value;
  return typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : undefined;
};
const str = (v: Values, id: number): string | undefined => {
  const x = v.get(id)?.value;
  return typeof x === 'string' ? x : undefined;
};
const bool = (v: Values, id: number): boolean | undefined => {
  const x = v.get(id)?.value;
  return typeof x === 'boolean' ? x : undefined;
};

export interface Accounts {
  readonly servers: ServerAccount[];
  readonly bootstrap: BootstrapAccount | undefined;
}

export async function readAccounts(tree: ObjectTree): Promise<Accounts> {
  const security = await instanceValues(tree, 0);
  const servers = await instanceValues(tree, 1);
  let bootstrap: BootstrapAccount | undefined;
  const uriBySsid = new Map<number, { uri: string; securityInstanceId: number }>();
  for (const [id, v] of security) {
    const uri = str(v, SEC.URI);
    if (uri === undefined) continue;
    if (bool(v, SEC.BOOTSTRAP)) {
      bootstrap ??= {
        securityInstanceId: id,
        uri,
        holdOff: num(v, SEC.HOLD_OFF) ?? 0,
        accountTimeout: num(v, SEC.BS_TIMEOUT) ?? 0,
      };
    } else {
      const ssid = num(v, SEC.SSID);
      if (ssid !== undefined) uriBySsid.set(ssid, { uri, securityInstanceId: id });
    }
  }
  const accounts: ServerAccount[] = [];
  for (const [id, v] of servers) {
    const ssid = num(v, SRV.SSID);
    const sec = ssid === undefined ? undefined : uriBySsid.get(ssid);
    if (ssid === undefined || !sec) continue;
    accounts.push({
      shortServerId: ssid,
      serverInstanceId: id,
      securityInstanceId: sec.securityInstanceId,
      uri: sec.uri,
      lifetime: num(v, SRV.LIFETIME) ?? 86400,
      binding: str(v, SRV.BINDING) ?? 'U',
      defaultPmin: num(v, SRV.DEFAULT_PMIN),
      defaultPmax: num(v, SRV.DEFAULT_PMAX),
      muteSend: bool(v, SRV.MUTE_SEND) ?? false,
      storeNotifications: bool(v, SRV.STORE_NOTIFICATIONS) ?? true,
      bootstrapOnFailure: bool(v, SRV.BOOTSTRAP_ON_FAILURE) ?? true,
      retryCount: num(v, SRV.RETRY_COUNT) ?? 5,
      retryTimer: num(v, SRV.RETRY_TIMER) ?? 60,
      sequenceDelay: num(v, SRV.SEQUENCE_DELAY) ?? 86400,
      sequenceRetryCount: num(v, SRV.SEQUENCE_RETRY_COUNT) ?? 1,
      disableTimeout: num(v, SRV.DISABLE_TIMEOUT) ?? 86400,
    });
  }
  accounts.sort((a, b) => a.shortServerId - b.shortServerId);
  return { servers: accounts, bootstrap };
}
