/**
 * Access Control (object 2, OMA LwM2M TS Core §7.3.3 and appendix E): with more than one
 * management server, each operation on an object instance needs the right bit in the ACL
 * instance for that instance (the server's own entry, else the default entry 0, else full
 * rights for the owner); Create needs the bit in the instance for (object, 65535).
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { LwM2mPath } from '@lwm2m-ts/objects';
import type { AccessOperation } from '../coap/dm-handler';
import { isMultipleContent, LOCAL } from '../enabler/instance-enabler';
import { SimpleInstance } from '../enabler/simple-instance';
import type { ObjectTree } from '../tree/object-tree';

export const AclRight = { READ: 1, WRITE: 2, EXECUTE: 4, DELETE: 8, CREATE: 16 } as const;
const BIT: Record<AccessOperation, number> = {
  read: AclRight.READ,
  write: AclRight.WRITE,
  execute: AclRight.EXECUTE,
  delete: AclRight.DELETE,
  create: AclRight.CREATE,
};
const ACL_OBJECT = 2;
const NO_INSTANCE = 65535;

interface AclEntry {
  readonly aclInstanceId: number;
  readonly objectId: number;
  readonly instanceId: number;
  readonly rights: ReadonlyMap<number, number>;
  readonly owner: number | undefined;
}

export class AccessControl {
  constructor(
    private readonly tree: ObjectTree,
    /** Number of management servers: ACL applies only with more than one. */
    private readonly serverCount: () => number,
  ) {}

  get active(): boolean {
    return this.tree.get(ACL_OBJECT) !== undefined && this.serverCount() > 1;
  }

  /** Throws 4.01 when `ssid` may not do `operation` on `path`. */
  async check(ssid: number, operation: AccessOperation, path: LwM2mPath): Promise<void> {
    const objectId = path.objectId;
    // Security (0) is for the bootstrap server only.
    if (objectId === 0) throw CoapError.unauthorized('the Security object is not accessible to servers');
    // OSCORE (21) holds keys too: like Security, only the bootstrap server reads or writes it.
    if (objectId === 21) throw CoapError.unauthorized('the OSCORE object is not accessible to servers');
    if (!this.active || objectId === undefined) return;
    if (objectId === ACL_OBJECT) return this.checkAclObject(ssid, operation, path);
    const entries = await this.entries();
    if (operation === 'create') {
      const e = entries.find((x) => x.objectId === objectId && x.instanceId === NO_INSTANCE);
      if (!e || !this.allows(e, ssid, BIT.create))
        throw CoapError.unauthorized(`server ${ssid} may not create instances of object ${objectId}`);
      return;
    }
    const object = this.tree.get(objectId);
    const ids = path.objectInstanceId !== undefined ? [path.objectInstanceId] : object ? object.instanceIds() : [];
    for (const iid of ids) {
      const e = entries.find((x) => x.objectId === objectId && x.instanceId === iid);
      if (!e || !this.allows(e, ssid, BIT[operation]))
        throw CoapError.unauthorized(`server ${ssid} may not ${operation} /${objectId}/${iid}`);
    }
  }

  /** A server created /o/i: it becomes the owner (its ACL instance is created). */
  async created(ssid: number, path: LwM2mPath): Promise<void> {
    const acl = this.tree.get(ACL_OBJECT);
    if (!this.active || !acl || path.objectId === ACL_OBJECT) return;
    const id = acl.nextFreeId();
    acl.add(
      id,
      new SimpleInstance({ values: { 0: path.objectId!, 1: path.objectInstanceId!, 2: new Map(), 3: ssid } }),
    );
  }

  /** /o/i was deleted: its ACL instance goes too. */
  async deleted(path: LwM2mPath): Promise<void> {
    const acl = this.tree.get(ACL_OBJECT);
    if (!acl) return;
    for (const e of await this.entries())
      if (e.objectId === path.objectId && e.instanceId === path.objectInstanceId) acl.remove(e.aclInstanceId);
  }

  private allows(e: AclEntry, ssid: number, bit: number): boolean {
    const own = e.rights.get(ssid);
    if (own !== undefined) return (own & bit) !== 0;
    if (e.owner === ssid) return true;
    const def = e.rights.get(0);
    return def !== undefined && (def & bit) !== 0;
  }

  private async checkAclObject(ssid: number, operation: AccessOperation, path: LwM2mPath): Promise<void> {
    if (operation === 'read') return;
    const iid = path.objectInstanceId;
    const e = iid === undefined ? undefined : (await this.entries()).find((x) => x.aclInstanceId === iid);
    if (!e || e.owner !== ssid) throw CoapError.unauthorized(`only the owner may ${operation} ${path}`);
  }

  private async entries(): Promise<AclEntry[]> {
    const acl = this.tree.get(ACL_OBJECT);
    if (!acl) return [];
    const out: AclEntry[] = [];
    for (const id of acl.instanceIds()) {
      const inst = acl.instance(id)!;
      const read = async (rid: number) => ((await hasId(inst.resourceIds(), rid)) ? inst.read(rid, LOCAL) : undefined);
      const o = await read(0);
      const i = await read(1);
      const rights = await read(2);
      const owner = await read(3);
      if (!o || !i || isMultipleContent(o) || isMultipleContent(i)) continue;
      out.push({
        aclInstanceId: id,
        objectId: Number(o.value),
        instanceId: Number(i.value),
        rights:
          rights && isMultipleContent(rights) ? new Map([...rights].map(([k, v]) => [k, Number(v.value)])) : new Map(),
        owner: owner && !isMultipleContent(owner) ? Number(owner.value) : undefined,
      });
    }
    return out;
  }
}

const hasId = (ids: Iterable<number>, id: number) => {
  for (const x of ids) if (x === id) return true;
  return false;
};

/** An Access Control instance: rights by Short Server ID (0 = default), owner SSID. */
export function accessControlInstance(o: {
  objectId: number;
  instanceId: number;
  rights?: Readonly<Record<number, number>>;
  owner: number;
}): SimpleInstance {
  return new SimpleInstance({
    values: {
      0: o.objectId,
      1: o.instanceId,
      2: new Map(Object.entries(o.rights ?? {}).map(([k, v]) => [Number(k), v])),
      3: o.owner,
    },
  });
}
