/**
 * What the Bootstrap-Server may do on the client (OMA LwM2M TS Core §5.2.7 / 6.1):
 * Bootstrap-Write, -Read (Server and Access Control objects), -Discover, -Delete, and the
 * consistency check run at Bootstrap-Finish.
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { Link } from '@lwm2m-ts/codec';
import type { LwM2mPath } from '@lwm2m-ts/objects';
import { BOOTSTRAP, isMultipleContent, LOCAL } from '../enabler/instance-enabler';
import { readAccounts, SEC, SRV } from '../registration/server-accounts';
import type { ObjectTree } from '../tree/object-tree';

const SECURITY = 0;
const SERVER = 1;
const DEVICE = 3;

async function resourceValue(tree: ObjectTree, objectId: number, instanceId: number, resourceId: number) {
  const inst = tree.get(objectId)?.instance(instanceId);
  if (!inst || ![...inst.resourceIds()].includes(resourceId)) return undefined;
  const c = await inst.read(resourceId, LOCAL);
  return c === undefined || isMultipleContent(c) ? undefined : c.value;
}

/** Ids of Security instances that belong to the bootstrap server (never deleted by it). */
async function bootstrapSecurityIds(tree: ObjectTree): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const id of tree.get(SECURITY)?.instanceIds() ?? [])
    if ((await resourceValue(tree, SECURITY, id, SEC.BOOTSTRAP)) === true) ids.add(id);
  return ids;
}

/** Bootstrap-Delete of "/", "/o" or "/o/i". */
export async function bootstrapDelete(tree: ObjectTree, path: LwM2mPath): Promise<void> {
  if (path.isResource() || path.isResourceInstance())
    throw CoapError.badRequest(`Bootstrap-Delete targets /, an object or an instance, not ${path}`);
  const keep = await bootstrapSecurityIds(tree);
  const objects = path.isRoot() ? tree.all() : [tree.get(path.objectId!)].filter((o) => o !== undefined);
  if (!path.isRoot() && objects.length === 0) throw CoapError.notFound(`object ${path.objectId} is not on this client`);
  for (const object of objects) {
    if (object.id === DEVICE) {
      if (!path.isRoot()) throw CoapError.badRequest('the Device object cannot be deleted');
      continue;
    }
    const ids = path.isObjectInstance() ? [path.objectInstanceId!] : object.instanceIds();
    for (const id of ids) {
      if (object.id === SECURITY && keep.has(id)) {
        if (path.isObjectInstance()) throw CoapError.badRequest('the bootstrap server account cannot be deleted');
        continue;
      }
      const instance = object.instance(id);
      if (!instance) {
        if (path.isObjectInstance()) throw CoapError.notFound(`object instance ${path} does not exist`);
        continue;
      }
      await instance.destroy?.(BOOTSTRAP);
      object.remove(id);
    }
  }
}

/**
 * Bootstrap-Discover: `</>;lwm2m=1.1`, then objects (with `ver`) and instances; Security and
 * Server instances carry `ssid`, Security ones also `uri` (not the bootstrap server's ssid).
 */
export async function bootstrapDiscover(tree: ObjectTree, path: LwM2mPath, lwm2mVersion: string): Promise<Link[]> {
  if (!path.isRoot() && !path.isObject()) throw CoapError.badRequest('Bootstrap-Discover targets / or an object');
  const links: Link[] = [{ href: '/', attributes: [{ name: 'lwm2m', value: lwm2mVersion }] }];
  const objects = path.isRoot() ? tree.all() : [tree.get(path.objectId!)];
  if (objects[0] === undefined) throw CoapError.notFound(`object ${path.objectId} is not on this client`);
  for (const object of objects) {
    if (!object) continue;
    const ids = object.instanceIds();
    const ver = object.version !== '1.0' ? [{ name: 'ver', value: object.version }] : [];
    if (ids.length === 0 || ver.length > 0) links.push({ href: `/${object.id}`, attributes: ver });
    for (const id of ids) {
      const attributes: { name: string; value: string; quoted?: boolean }[] = [];
      if (object.id === SECURITY) {
        const bs = (await resourceValue(tree, SECURITY, id, SEC.BOOTSTRAP)) === true;
        const ssid = await resourceValue(tree, SECURITY, id, SEC.SSID);
        if (!bs && ssid !== undefined) attributes.push({ name: 'ssid', value: String(ssid) });
        const uri = await resourceValue(tree, SECURITY, id, SEC.URI);
        if (typeof uri === 'string') attributes.push({ name: 'uri', value: uri, quoted: true });
      } else if (object.id === SERVER) {
        const ssid = await resourceValue(tree, SERVER, id, SRV.SSID);
        if (ssid !== undefined) attributes.push({ name: 'ssid', value: String(ssid) });
      }
      links.push({ href: `/${object.id}/${id}`, attributes });
    }
  }
  return links;
}

/** Bootstrap-Read is allowed on the Server and Access Control objects only. */
export function checkBootstrapRead(path: LwM2mPath): void {
  if (path.isRoot() || (path.objectId !== SERVER && path.objectId !== 2))
    throw CoapError.unauthorized(`Bootstrap-Read is allowed on /1 and /2 only, not ${path}`);
}

/** The configuration is usable: at least one Server instance with a Security instance of its SSID. */
export async function checkConsistency(tree: ObjectTree): Promise<string | undefined> {
  const { servers } = await readAccounts(tree);
  if (servers.length === 0) return 'no LwM2M Server account (Server instance with a matching Security instance)';
  for (const id of tree.get(SERVER)?.instanceIds() ?? []) {
    const ssid = await resourceValue(tree, SERVER, id, SRV.SSID);
    if (!servers.some((s) => s.serverInstanceId === id))
      return `Server instance /1/${id} (ssid ${String(ssid)}) has no Security instance`;
  }
  return undefined;
}
