/** BootstrapConfig -> the object instances to Bootstrap-Write, as node-tree values. */
import { LwM2mPath, LwM2mValue, ObjectInstance, Resource } from '@lwm2m-ts/objects';
import type {
  AclInstanceConfig,
  BootstrapConfig,
  OscoreInstanceConfig,
  SecurityInstanceConfig,
  ServerInstanceConfig,
} from './bootstrap-config';

export interface InstanceToWrite {
  readonly path: LwM2mPath;
  readonly instance: ObjectInstance;
}

const opt = <T>(id: number, value: T | undefined, make: (v: T) => LwM2mValue): Resource[] =>
  value === undefined ? [] : [Resource.single(id, make(value))];

export function securityInstance(id: number, c: SecurityInstanceConfig): ObjectInstance {
  return ObjectInstance.of(id, [
    Resource.single(0, LwM2mValue.string(c.uri)),
    Resource.single(1, LwM2mValue.boolean(c.bootstrapServer)),
    Resource.single(2, LwM2mValue.integer(c.securityMode)),
    Resource.single(3, LwM2mValue.opaque(c.publicKeyOrIdentity ?? new Uint8Array())),
    Resource.single(4, LwM2mValue.opaque(c.serverPublicKey ?? new Uint8Array())),
    Resource.single(5, LwM2mValue.opaque(c.secretKey ?? new Uint8Array())),
    ...opt(10, c.shortServerId, LwM2mValue.integer),
    ...opt(11, c.clientHoldOffTime, LwM2mValue.integer),
    ...opt(12, c.bootstrapServerAccountTimeout, LwM2mValue.integer),
    ...opt(17, c.oscoreInstanceId, (i) => LwM2mValue.objlnk(21, i)),
  ]);
}

export function serverInstance(id: number, c: ServerInstanceConfig): ObjectInstance {
  return ObjectInstance.of(id, [
    Resource.single(0, LwM2mValue.integer(c.shortServerId)),
    Resource.single(1, LwM2mValue.integer(c.lifetime)),
    ...opt(2, c.defaultMinPeriod, LwM2mValue.integer),
    ...opt(3, c.defaultMaxPeriod, LwM2mValue.integer),
    ...opt(5, c.disableTimeout, LwM2mValue.integer),
    Resource.single(6, LwM2mValue.boolean(c.notificationStoring)),
    Resource.single(7, LwM2mValue.string(c.binding)),
  ]);
}

export function aclInstance(id: number, c: AclInstanceConfig): ObjectInstance {
  const entries = Object.entries(c.acl).map(([server, bits]) => [Number(server), LwM2mValue.integer(bits)] as const);
  return ObjectInstance.of(id, [
    Resource.single(0, LwM2mValue.integer(c.objectId)),
    Resource.single(1, LwM2mValue.integer(c.objectInstanceId)),
    Resource.multiple(2, 'integer', entries),
    Resource.single(3, LwM2mValue.integer(c.accessControlOwner)),
  ]);
}

export function oscoreInstance(id: number, c: OscoreInstanceConfig): ObjectInstance {
  return ObjectInstance.of(id, [
    Resource.single(0, LwM2mValue.opaque(c.masterSecret)),
    Resource.single(1, LwM2mValue.opaque(c.senderId)),
    Resource.single(2, LwM2mValue.opaque(c.recipientId)),
    ...opt(3, c.aeadAlgorithm, LwM2mValue.integer),
    ...opt(4, c.hmacAlgorithm, LwM2mValue.integer),
    ...opt(5, c.masterSalt, LwM2mValue.opaque),
    ...opt(6, c.idContext, LwM2mValue.opaque),
  ]);
}

/** In write order: OSCORE first (Security links to it), then Security, Server, ACL. */
export function instancesToWrite(config: BootstrapConfig): InstanceToWrite[] {
  const out: InstanceToWrite[] = [];
  const add = <C>(
    objectId: number,
    record: Readonly<Record<number, C>> | undefined,
    make: (id: number, c: C) => ObjectInstance,
  ) => {
    for (const [key, c] of Object.entries(record ?? {}).sort(([a], [b]) => Number(a) - Number(b))) {
      const id = Number(key);
      out.push({ path: LwM2mPath.of(objectId, id), instance: make(id, c as C) });
    }
  };
  add(21, config.oscore, oscoreInstance);
  add(0, config.security, securityInstance);
  add(1, config.servers, serverInstance);
  add(2, config.acls, aclInstance);
  return out;
}
