/**
 * Discover (OMA LwM2M TS Core §5.4.2 / 1.2 with `depth`): the object, instance and resource
 * links below a path with the attributes a server attached, `dim` for multiple resources and
 * `ver` for objects whose version is not 1.0.
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { Link, LinkAttribute } from '@lwm2m-ts/codec';
import { LwM2mPath } from '@lwm2m-ts/objects';
import type { AttributeStore } from '../attributes/attribute-store';
import { attributeLinkParams } from '../attributes/notification-attributes';
import type { InstanceEnabler, Requester } from '../enabler/instance-enabler';
import { isMultipleContent } from '../enabler/instance-enabler';
import type { ObjectTree } from './object-tree';
import { hasResource, requireInstance, requireObject } from './problems';

export interface DiscoverOptions {
  readonly attributes: AttributeStore;
  /** Whose attributes to show. */
  readonly server: string;
  readonly requester: Requester;
  /** LwM2M 1.2 `depth` (0..3); default per target level. */
  readonly depth?: number;
  readonly lwm2mVersion: string;
}

const attrs = (list: { name: string; value: string }[]): LinkAttribute[] =>
  list.map((a) => ({ name: a.name, value: a.value }));

export async function discover(tree: ObjectTree, path: LwM2mPath, options: DiscoverOptions): Promise<Link[]> {
  if (path.isRoot() || path.isResourceInstance())
    throw CoapError.methodNotAllowed(`Discover targets an object, instance or resource, not ${path}`);
  const object = requireObject(tree, path);
  const is12 = options.lwm2mVersion === '1.2';
  const defaultDepth = path.isObject() ? 2 : is12 ? 1 : path.isObjectInstance() ? 1 : 0;
  const depth = options.depth ?? defaultDepth;
  if (!Number.isInteger(depth) || depth < 0 || depth > 3)
    throw CoapError.badRequest(`depth must be 0..3, got ${depth}`);
  const at = (p: LwM2mPath) => attributeLinkParams(options.attributes.at(options.server, p));
  const links: Link[] = [];
  const base = path.ids.length;
  const within = (p: LwM2mPath) => p.ids.length - base <= depth;

  if (path.isObject()) {
    const objectAttrs: LinkAttribute[] = object.version !== '1.0' ? [{ name: 'ver', value: object.version }] : [];
    links.push({ href: path.toString(), attributes: [...objectAttrs, ...attrs(at(path))] });
  }
  if (!path.isObject()) requireInstance(tree, path);
  const instanceIds = path.isObject() ? object.instanceIds() : [path.objectInstanceId!];
  for (const iid of instanceIds) {
    const instance = object.instance(iid)!;
    const ipath = LwM2mPath.of(object.id, iid);
    if (path.isResource()) {
      if (!hasResource(instance, path.resourceId!)) throw CoapError.notFound(`resource ${path} does not exist`);
      // A resource's own link carries its attributes and the ones it inherits.
      const effective = options.attributes.effective(options.server, path);
      links.push(...(await resourceLinks(object.model, instance, path, options.requester, depth, effective)));
      continue;
    }
    if (within(ipath)) links.push({ href: ipath.toString(), attributes: attrs(at(ipath)) });
    if (!within(ipath.child(0))) continue;
    for (const rid of [...instance.resourceIds()].sort((a, b) => a - b)) {
      const rpath = ipath.child(rid);
      const own = options.attributes.at(options.server, rpath);
      const childDepth = depth - (rpath.ids.length - base);
      links.push(...(await resourceLinks(object.model, instance, rpath, options.requester, childDepth, own)));
    }
  }
  return links;
}

async function resourceLinks(
  model: { resources: ReadonlyMap<number, { multiple: boolean; type: string }> },
  instance: InstanceEnabler,
  path: LwM2mPath,
  requester: Requester,
  depth: number,
  shown: Parameters<typeof attributeLinkParams>[0],
): Promise<Link[]> {
  const rm = model.resources.get(path.resourceId!);
  if (!rm) return [];
  const own: LinkAttribute[] = [];
  let instances: number[] = [];
  if (rm.multiple) {
    const content = await instance.read(path.resourceId!, requester);
    instances = content && isMultipleContent(content) ? [...content.keys()] : [];
    own.push({ name: 'dim', value: String(instances.length) });
  }
  const links: Link[] = [{ href: path.toString(), attributes: [...own, ...attrs(attributeLinkParams(shown))] }];
  if (depth >= 1) for (const ri of instances) links.push({ href: path.child(ri).toString(), attributes: [] });
  return links;
}
