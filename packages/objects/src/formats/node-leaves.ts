import { CodecError } from '@lwm2m-ts/codec';
import type { ResourceModel, ResourceModelLookup } from '../model/types';
import {
  type LwM2mNode,
  LwM2mObject,
  nodePathMismatch,
  ObjectInstance,
  Resource,
  ResourceInstance,
  type ResourceInstance as ResourceInstanceNode,
} from '../node/node';
import type { LwM2mValue, LwM2mValueType } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import { modelMultipleAt } from './value-typing';

/** A value with its full path (a single resource /o/i/r or a resource instance /o/i/r/ri). */
export interface Leaf {
  readonly path: LwM2mPath;
  readonly value: LwM2mValue;
}

/** Throws a 4.06-flavoured `CodecError` when `node` cannot be addressed by `path`. */
export function checkNodeAtPath(node: LwM2mNode, path: LwM2mPath, format: string): void {
  const problem = nodePathMismatch(path, node);
  if (problem) throw new CodecError(`${format}: ${problem}`, { location: String(path), responseCode: 0x86 });
}

/** Every value under `node` (at `path`) with its full path, in id order. */
export function flattenNode(node: LwM2mNode, path: LwM2mPath): Leaf[] {
  const out: Leaf[] = [];
  const walk = (n: LwM2mNode, ids: number[]): void => {
    switch (n.kind) {
      case 'resource-instance':
        out.push({ path: LwM2mPath.of(...ids), value: n.value });
        return;
      case 'resource':
        if (!n.multiple) out.push({ path: LwM2mPath.of(...ids), value: n.value });
        else for (const ri of n.instances.values()) walk(ri, [...ids, ri.id]);
        return;
      case 'object-instance':
        for (const r of n.resources.values()) walk(r, [...ids, r.id]);
        return;
      case 'object':
        for (const oi of n.instances.values()) walk(oi, [...ids, oi.id]);
        return;
    }
  };
  walk(node, [...path.ids]);
  return out;
}

interface ResourceGroup {
  single?: Leaf;
  instances: Map<number, Leaf>;
  /** The resource's model, looked up once per resource rather than once per value. */
  model: ResourceModel | undefined;
}

/**
 * Builds the node at `target` from leaves (values with full paths), checking that each leaf lies
 * under `target`, appears once, and agrees with the model on single vs multiple. A multiple
 * resource's type comes from the model, else from its values (which must then agree).
 */
export function buildNode(
  target: LwM2mPath,
  leaves: readonly Leaf[],
  lookup: ResourceModelLookup | undefined,
  format: string,
  emptyContainers: readonly LwM2mPath[] = [],
): LwM2mNode {
  if (target.isRoot()) {
    throw new CodecError(`${format}: a payload cannot be decoded as the root node "/"`, { location: '/' });
  }
  const fail = (message: string, p: LwM2mPath): never => {
    throw new CodecError(`${format}: ${message}`, { location: String(p) });
  };
  const newGroup = (o: number, r: number): ResourceGroup => ({ instances: new Map(), model: lookup?.(o, r) });
  // object -> instance -> resource -> group
  const tree = new Map<number, Map<number, Map<number, ResourceGroup>>>();
  for (const leaf of leaves) {
    const p = leaf.path;
    if (!target.contains(p)) fail(`value for ${p} is outside the target path ${target}`, p);
    if (p.ids.length < 3) fail(`a value needs a resource path, got ${p}`, p);
    const [o, i, r, ri] = p.ids as [number, number, number, number | undefined];
    const instances = getOrCreate(tree, o, () => new Map<number, Map<number, ResourceGroup>>());
    const resources = getOrCreate(instances, i, () => new Map<number, ResourceGroup>());
    const group = getOrCreate(resources, r, () => newGroup(o, r));
    const multiple = group.model?.multiple;
    if (ri === undefined) {
      if (multiple === true) fail(`resource ${p} is multiple, a value needs an instance id`, p);
      if (group.single || group.instances.size > 0) fail(`duplicate value for ${p}`, p);
      group.single = leaf;
    } else {
      if (multiple === false) fail(`resource ${p.parent()} is single, ${p} is not allowed`, p);
      if (group.single || group.instances.has(ri)) fail(`duplicate value for ${p}`, p);
      group.instances.set(ri, leaf);
    }
  }

  // Object instances and multiple resources a format says exist even with nothing in them.
  for (const p of emptyContainers) {
    if (!target.contains(p) && !p.contains(target)) continue;
    const [o, i, r] = p.ids;
    if (o === undefined) continue;
    const instances = getOrCreate(tree, o, () => new Map<number, Map<number, ResourceGroup>>());
    if (i === undefined) continue;
    const resources = getOrCreate(instances, i, () => new Map<number, ResourceGroup>());
    if (r !== undefined) getOrCreate(resources, r, () => newGroup(o, r));
  }

  const buildResource = (o: number, i: number, r: number, group: ResourceGroup): Resource => {
    if (group.single) return Resource.single(r, group.single.value);
    const list = [...group.instances.values()];
    const modelType = group.model?.type;
    const type: LwM2mValueType | undefined = modelType === 'none' ? undefined : (modelType ?? list[0]?.value.type);
    if (type === undefined) fail(`no value for resource /${o}/${i}/${r}`, LwM2mPath.of(o, i, r));
    const ris: ResourceInstanceNode[] = [];
    for (const leaf of list) {
      if (leaf.value.type !== type)
        fail(`${leaf.path} is ${leaf.value.type} but resource /${o}/${i}/${r} holds ${type}`, leaf.path);
      ris.push(ResourceInstance.of(leaf.path.resourceInstanceId!, leaf.value));
    }
    return Resource.multiple(r, type!, ris);
  };
  const buildInstance = (o: number, i: number, resources: Map<number, ResourceGroup> | undefined) => {
    const list: Resource[] = [];
    if (resources) for (const [r, group] of resources) list.push(buildResource(o, i, r, group));
    return ObjectInstance.of(i, list);
  };

  const [o, i, r, ri] = target.ids as [number, number | undefined, number | undefined, number | undefined];
  const instances = tree.get(o);
  if (i === undefined) {
    const list: ObjectInstance[] = [];
    if (instances) for (const [iid, resources] of instances) list.push(buildInstance(o, iid, resources));
    return LwM2mObject.of(o, list);
  }
  const resources = instances?.get(i);
  if (r === undefined) return buildInstance(o, i, resources);
  const group = resources?.get(r);
  if (ri === undefined) {
    if (group) return buildResource(o, i, r, group);
    if (modelMultipleAt(target, lookup) !== true) fail(`no value for resource ${target}`, target);
    return buildResource(o, i, r, newGroup(o, r));
  }
  const leaf = group?.instances.get(ri);
  if (!leaf) return fail(`no value for resource instance ${target}`, target);
  return ResourceInstance.of(ri, leaf.value);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

/**
 * Groups composite values: without `paths` each leaf is its own entry; with `paths` leaves go
 * under the first requested path that contains them (requested paths with no value are omitted).
 */
export function buildComposite(
  leaves: readonly Leaf[],
  lookup: ResourceModelLookup | undefined,
  paths: readonly LwM2mPath[] | undefined,
  format: string,
): Map<string, LwM2mNode> {
  const out = new Map<string, LwM2mNode>();
  if (!paths) {
    for (const leaf of leaves) {
      const key = leaf.path.toString();
      if (out.has(key)) throw new CodecError(`${format}: duplicate value for ${key}`, { location: key });
      out.set(key, buildNode(leaf.path, [leaf], lookup, format));
    }
    return out;
  }
  const groups = new Map<string, { path: LwM2mPath; leaves: Leaf[] }>();
  for (const p of paths) groups.set(p.toString(), { path: p, leaves: [] });
  const list = [...groups.values()];
  for (const leaf of leaves) {
    const group = list.find((g) => g.path.contains(leaf.path));
    if (!group)
      throw new CodecError(`${format}: value for ${leaf.path} was not requested`, { location: String(leaf.path) });
    group.leaves.push(leaf);
  }
  for (const [key, group] of groups) {
    if (group.leaves.length > 0) out.set(key, buildNode(group.path, group.leaves, lookup, format));
  }
  return out;
}
