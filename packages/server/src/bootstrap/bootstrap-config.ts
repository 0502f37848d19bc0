/**
 * What the bootstrap server writes to a device: instances of Security (0), Server (1),
 * Access Control (2) and OSCORE (21), keyed by instance id, plus how to run the session.
 * Plain data, so a web app can edit it; `toInstances()` turns it into node-tree values.
 */
export const SecurityMode = { PSK: 0, RPK: 1, CERTIFICATE: 2, NO_SEC: 3, CERTIFICATE_EST: 4 } as const;
export type SecurityMode = (typeof SecurityMode)[keyof typeof SecurityMode];

export interface SecurityInstanceConfig {
  /** Resource 0: "coaps://host:5684". */
  readonly uri: string;
  /** Resource 1: true for the bootstrap server's own account. */
  readonly bootstrapServer: boolean;
  /** Resource 2. */
  readonly securityMode: SecurityMode;
  /** Resource 3: PSK identity (UTF-8 bytes) / client public key / certificate. */
  readonly publicKeyOrIdentity?: Uint8Array;
  /** Resource 4. */
  readonly serverPublicKey?: Uint8Array;
  /** Resource 5: PSK key / private key. */
  readonly secretKey?: Uint8Array;
  /** Resource 10 (absent for the bootstrap account). */
  readonly shortServerId?: number;
  /** Resource 11 (seconds). */
  readonly clientHoldOffTime?: number;
  /** Resource 12 (seconds). */
  readonly bootstrapServerAccountTimeout?: number;
  /** Resource 17 (1.1+): OSCORE Security Mode, the OSCORE (21) instance id to use. */
  readonly oscoreInstanceId?: number;
}

export interface ServerInstanceConfig {
  /** Resource 0 (1..65534). */
  readonly shortServerId: number;
  /** Resource 1 (seconds). */
  readonly lifetime: number;
  /** Resource 2 / 3: default pmin / pmax (seconds). */
  readonly defaultMinPeriod?: number;
  readonly defaultMaxPeriod?: number;
  /** Resource 5 (seconds). */
  readonly disableTimeout?: number;
  /** Resource 6. */
  readonly notificationStoring: boolean;
  /** Resource 7: "U", "UQ" (1.0), "U", "T", ... (1.1). */
  readonly binding: string;
}

export interface AclInstanceConfig {
  /** Resource 0 / 1: the object instance the ACL is about. */
  readonly objectId: number;
  readonly objectInstanceId: number;
  /** Resource 2: short server id -> access bits (1 R, 2 W, 4 E, 8 D, 16 C); key 0 = default. */
  readonly acl: Readonly<Record<number, number>>;
  /** Resource 3. */
  readonly accessControlOwner: number;
}

export interface OscoreInstanceConfig {
  readonly masterSecret: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  readonly aeadAlgorithm?: number;
  readonly hmacAlgorithm?: number;
  readonly masterSalt?: Uint8Array;
  readonly idContext?: Uint8Array;
}

export interface BootstrapConfig {
  /** Paths to Bootstrap-Delete first; default ["/"] (everything deletable). */
  readonly toDelete?: readonly string[];
  readonly security?: Readonly<Record<number, SecurityInstanceConfig>>;
  readonly servers?: Readonly<Record<number, ServerInstanceConfig>>;
  readonly acls?: Readonly<Record<number, AclInstanceConfig>>;
  readonly oscore?: Readonly<Record<number, OscoreInstanceConfig>>;
  /** Format of the Bootstrap-Writes; default the client's `pct`, else TLV. */
  readonly contentFormat?: number;
  /** Run a Bootstrap-Discover of "/" before deleting (LwM2M 1.1+), reported in the session events. */
  readonly discoverFirst?: boolean;
  /** Bootstrap-Read these paths before Finish (LwM2M 1.1+, e.g. ["/1"]). */
  readonly readBeforeFinish?: readonly string[];
}

export class InvalidBootstrapConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBootstrapConfigError';
  }
}

const isId = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65534;

/** Checks what a device would otherwise reject half-way through a session. */
export function validateBootstrapConfig(config: BootstrapConfig): void {
  const fail = (message: string): never => {
    throw new InvalidBootstrapConfigError(message);
  };
  const ids = (record: object | undefined, what: string) => {
    for (const key of Object.keys(record ?? {}))
      if (!isId(Number(key))) fail(`${what} instance id "${key}" is not 0..65534`);
  };
  ids(config.security, 'security');
  ids(config.servers, 'server');
  ids(config.acls, 'ACL');
  ids(config.oscore, 'OSCORE');
  const shortIds = new Set<number>();
  for (const [id, server] of Object.entries(config.servers ?? {})) {
    if (!Number.isInteger(server.shortServerId) || server.shortServerId < 1 || server.shortServerId > 65534) {
      fail(`server ${id}: short server id must be 1..65534`);
    }
    if (shortIds.has(server.shortServerId)) fail(`server ${id}: short server id ${server.shortServerId} used twice`);
    shortIds.add(server.shortServerId);
    if (!Number.isInteger(server.lifetime) || server.lifetime < 1)
      fail(`server ${id}: lifetime must be a positive integer`);
    if (!/^[UMHTSNQ]+$/.test(server.binding)) fail(`server ${id}: binding "${server.binding}" is not valid`);
  }
  for (const [id, security] of Object.entries(config.security ?? {})) {
    if (!/^coaps?(\+tcp|\+ws)?:\/\//.test(security.uri))
      fail(`security ${id}: uri "${security.uri}" is not a CoAP URI`);
    if (!Object.values(SecurityMode).includes(security.securityMode)) fail(`security ${id}: unknown security mode`);
    if (!security.bootstrapServer && security.shortServerId === undefined) {
      fail(`security ${id}: a non-bootstrap account needs a short server id`);
    }
    if (security.securityMode === SecurityMode.PSK && (!security.publicKeyOrIdentity || !security.secretKey)) {
      fail(`security ${id}: PSK mode needs publicKeyOrIdentity (identity) and secretKey (key)`);
    }
    if (security.oscoreInstanceId !== undefined && !config.oscore?.[security.oscoreInstanceId]) {
      fail(`security ${id}: OSCORE instance ${security.oscoreInstanceId} is not in the config`);
    }
  }
  for (const path of config.toDelete ?? [])
    if (!/^\/(\d+(\/\d+)?)?$/.test(path)) fail(`toDelete path "${path}" is not /, /o or /o/i`);
}
