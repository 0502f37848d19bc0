/**
 * Server accounts from the Security (0) and Server (1) objects: one registration per Server
 * instance, with its URI from the Security instance of the same Short Server ID, and the
 * bootstrap account from the Security instance marked Bootstrap-Server.
 */
import { parseCoapUri } from '@lwm2m-ts/codec';
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
  /**
   * Why Server instances were left out: a Short Server ID that is missing, not an integer or
   * outside 1..65534, or a matching Security instance without a usable Server URI, or a wrong
   * type where a number, string or boolean belongs. A Server instance whose Security instance
   * does not exist (yet) is not a problem: the account is simply not complete.
   */
  readonly problems: readonly string[];
}

/** Short Server ID range (Core, Server object /1/x/0 and Security /0/x/10: 1..65534). */
const isShortServerId = (n: number | undefined): n is number =>
  n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65534;

/** Resources that must hold this type when present, else the account is malformed. */
const SERVER_TYPES: readonly [number, 'number' | 'string' | 'boolean', string][] = [
  [SRV.LIFETIME, 'number', 'Lifetime'],
  [SRV.DEFAULT_PMIN, 'number', 'Default Minimum Period'],
  [SRV.DEFAULT_PMAX, 'number', 'Default Maximum Period'],
  [SRV.DISABLE_TIMEOUT, 'number', 'Disable Timeout'],
  [SRV.STORE_NOTIFICATIONS, 'boolean', 'Notification Storing'],
  [SRV.BINDING, 'string', 'Binding'],
  [SRV.BOOTSTRAP_ON_FAILURE, 'boolean', 'Bootstrap on Registration Failure'],
  [SRV.RETRY_COUNT, 'number', 'Communication Retry Count'],
  [SRV.RETRY_TIMER, 'number', 'Communication Retry Timer'],
  [SRV.SEQUENCE_DELAY, 'number', 'Communication Sequence Delay Timer'],
  [SRV.SEQUENCE_RETRY_COUNT, 'number', 'Communication Sequence Retry Count'],
  [SRV.MUTE_SEND, 'boolean', 'Mute Send'],
];

const typeOf = (v: LwM2mValue | undefined): string =>
  v === undefined ? 'undefined' : typeof v.value === 'bigint' ? 'number' : typeof v.value;

function wrongType(v: Values, id: number, want: string): boolean {
  return v.has(id) && typeOf(v.get(id)) !== want;
}

function describeValue(v: LwM2mValue | undefined): string {
  if (v === undefined) return 'none';
  return typeof v.value === 'string' ? JSON.stringify(v.value) : `${String(v.value)} (${typeOf(v)})`;
}

export async function readAccounts(tree: ObjectTree): Promise<Accounts> {
  const security = await instanceValues(tree, 0);
  const servers = await instanceValues(tree, 1);
  let bootstrap: BootstrapAccount | undefined;
  const problems: string[] = [];
  /** Short Server ID -> its Security instance, with the reason its URI is unusable if it is. */
  const securityBySsid = new Map<number, { uri: string; securityInstanceId: number; problem?: string }>();
  for (const [id, v] of security) {
    const uri = str(v, SEC.URI);
    if (bool(v, SEC.BOOTSTRAP)) {
      if (uri !== undefined)
        bootstrap ??= {
          securityInstanceId: id,
          uri,
          holdOff: num(v, SEC.HOLD_OFF) ?? 0,
          accountTimeout: num(v, SEC.BS_TIMEOUT) ?? 0,
        };
      continue;
    }
    const ssid = num(v, SEC.SSID);
    if (ssid === undefined) continue;
    const problem = uriProblem(id, v);
    // A usable instance wins over an unusable one of the same Short Server ID; else the last one.
    if (problem && securityBySsid.get(ssid)?.problem === undefined && securityBySsid.has(ssid)) continue;
    securityBySsid.set(ssid, { uri: uri ?? '', securityInstanceId: id, ...(problem ? { problem } : {}) });
  }
  const accounts: ServerAccount[] = [];
  const seen = new Set<number>();
  for (const [id, v] of servers) {
    const ssid = num(v, SRV.SSID);
    if (!isShortServerId(ssid)) {
      problems.push(
        `server account /1/${id} ignored: Short Server ID (/1/${id}/0) is ${describeValue(v.get(SRV.SSID))}, ` +
          'expected an integer from 1 to 65534',
      );
      continue;
    }
    const sec = securityBySsid.get(ssid);
    if (!sec) continue; // no Security instance for it (yet): not an account
    if (sec.problem) {
      problems.push(`server account ${ssid} (/1/${id}) ignored: ${sec.problem}`);
      continue;
    }
    const typeProblem = SERVER_TYPES.find(([rid, want]) => wrongType(v, rid, want));
    if (typeProblem) {
      const [rid, want, name] = typeProblem;
      problems.push(
        `server account ${ssid} (/1/${id}) ignored: ${name} (/1/${id}/${rid}) is ${describeValue(v.get(rid))}, expected a ${want}`,
      );
      continue;
    }
    if (seen.has(ssid)) {
      problems.push(`server account ${ssid}: /1/${id} ignored, another Server instance has the same Short Server ID`);
      continue;
    }
    seen.add(ssid);
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
  return { servers: accounts, bootstrap, problems };
}

/** Why the Server URI of Security instance `id` cannot be used, or undefined when it can. */
function uriProblem(id: number, v: Values): string | undefined {
  const raw = v.get(SEC.URI);
  if (raw === undefined) return `its Security instance /0/${id} has no Server URI (/0/${id}/0)`;
  if (typeof raw.value !== 'string') return `the Server URI (/0/${id}/0) is ${describeValue(raw)}, expected a string`;
  try {
    parseCoapUri(raw.value);
    return undefined;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `the Server URI (/0/${id}/0) ${JSON.stringify(raw.value)} is not usable: ${why}`;
  }
}
