import { LwM2mPath } from '../path/lwm2m-path';
import { LwM2mValue, type LwM2mValueType } from './value';

/** A value held by one instance of a multiple resource (/o/i/r/ri). */
export interface ResourceInstance {
  readonly kind: 'resource-instance';
  readonly id: number;
  readonly value: LwM2mValue;
}

/** A single-instance resource (/o/i/r) holding one value. */
export interface SingleResource {
  readonly kind: 'resource';
  readonly id: number;
  readonly multiple: false;
  readonly type: LwM2mValueType;
  readonly value: LwM2mValue;
}

/** A multiple-instance resource (/o/i/r) with 0..n instances of one value type, sorted by id. */
export interface MultipleResource {
  readonly kind: 'resource';
  readonly id: number;
  readonly multiple: true;
  readonly type: LwM2mValueType;
  readonly instances: ReadonlyMap<number, ResourceInstance>;
}

export type Resource = SingleResource | MultipleResource;

/** An object instance (/o/i) with its resources, sorted by id. */
export interface ObjectInstance {
  readonly kind: 'object-instance';
  readonly id: number;
  readonly resources: ReadonlyMap<number, Resource>;
}

/** An object (/o) with its instances, sorted by id. */
export interface LwM2mObject {
  readonly kind: 'object';
  readonly id: number;
  readonly instances: ReadonlyMap<number, ObjectInstance>;
}

/** Any node of the tree. The root "/" has no node; a request on "/" carries several objects. */
export type LwM2mNode = LwM2mObject | ObjectInstance | Resource | ResourceInstance;

function checkId(id: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id > 65535) throw new RangeError(`${what} must be in 0..65535, got ${id}`);
}

function immutable(): never {
  throw new TypeError('LwM2M nodes are immutable');
}

/**
 * A Map whose mutators throw, so a frozen node cannot be changed through a cast. (Patching the
 * instance costs little; a Map subclass halved construction speed.)
 */
function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map(entries);
  map.set = immutable;
  map.delete = immutable;
  map.clear = immutable;
  return Object.freeze(map);
}

function byId<T extends { readonly id: number }>(items: Iterable<T>, what: string): ReadonlyMap<number, T> {
  const list = [...items];
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.id <= list[i - 1]!.id) {
      list.sort((a, b) => a.id - b.id);
      break;
    }
  }
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.id === list[i - 1]!.id) throw new RangeError(`duplicate ${what} id ${list[i]!.id}`);
  }
  return frozenMap(list.map((item) => [item.id, item] as const));
}

export const ResourceInstance = {
  of(id: number, value: LwM2mValue): ResourceInstance {
    checkId(id, 'resource instance id');
    return Object.freeze({ kind: 'resource-instance', id, value });
  },
} as const;

export const Resource = {
  single(id: number, value: LwM2mValue): SingleResource {
    checkId(id, 'resource id');
    return Object.freeze({ kind: 'resource', id, multiple: false, type: value.type, value });
  },
  /**
   * A multiple resource. `instances` are ResourceInstances or [id, value] pairs; every value must
   * have `type` (so an empty multiple resource still knows its type).
   */
  multiple(
    id: number,
    type: LwM2mValueType,
    instances: Iterable<ResourceInstance | readonly [number, LwM2mValue]> = [],
  ): MultipleResource {
    checkId(id, 'resource id');
    const list = [...instances].map((i) =>
      Array.isArray(i) ? ResourceInstance.of(i[0], i[1]) : (i as ResourceInstance),
    );
    for (const instance of list) {
      if (instance.value.type !== type) {
        throw new TypeError(`resource ${id} instance ${instance.id} is ${instance.value.type}, expected ${type}`);
      }
    }
    return Object.freeze({ kind: 'resource', id, multiple: true, type, instances: byId(list, 'resource instance') });
  },
  /** A copy of a multiple resource with `instances` added or replaced (a partial update). */
  withInstances(resource: MultipleResource, instances: Iterable<ResourceInstance>): MultipleResource {
    return Resource.multiple(resource.id, resource.type, mergeById(resource.instances, instances));
  },
} as const;

export const ObjectInstance = {
  of(id: number, resources: Iterable<Resource>): ObjectInstance {
    checkId(id, 'object instance id');
    return Object.freeze({ kind: 'object-instance', id, resources: byId(resources, 'resource') });
  },
  /**
   * A copy of `instance` with `resources` added or replaced as wholes (Write "partial update" on an
   * instance: a multiple resource in `resources` replaces the old one, as LwM2M specifies).
   */
  withResources(instance: ObjectInstance, resources: Iterable<Resource>): ObjectInstance {
    return ObjectInstance.of(instance.id, mergeById(instance.resources, resources));
  },
  /** A copy of `instance` without the given resource ids. */
  withoutResources(instance: ObjectInstance, resourceIds: Iterable<number>): ObjectInstance {
    const drop = new Set(resourceIds);
    return ObjectInstance.of(
      instance.id,
      [...instance.resources.values()].filter((r) => !drop.has(r.id)),
    );
  },
} as const;

export const LwM2mObject = {
  of(id: number, instances: Iterable<ObjectInstance>): LwM2mObject {
    checkId(id, 'object id');
    return Object.freeze({ kind: 'object', id, instances: byId(instances, 'object instance') });
  },
  /** A copy of `object` with `instances` added or replaced. */
  withInstances(object: LwM2mObject, instances: Iterable<ObjectInstance>): LwM2mObject {
    return LwM2mObject.of(object.id, mergeById(object.instances, instances));
  },
} as const;

function mergeById<T extends { readonly id: number }>(current: ReadonlyMap<number, T>, updates: Iterable<T>): T[] {
  const merged = new Map(current);
  for (const item of updates) merged.set(item.id, item);
  return [...merged.values()];
}

/** Deep structural equality of two nodes (values compared with `LwM2mValue.equals`). */
export function nodesEqual(a: LwM2mNode, b: LwM2mNode): boolean {
  if (a.kind !== b.kind || a.id !== b.id) return false;
  switch (a.kind) {
    case 'resource-instance':
      return LwM2mValue.equals(a.value, (b as ResourceInstance).value);
    case 'resource': {
      const r = b as Resource;
      if (a.multiple !== r.multiple || a.type !== r.type) return false;
      if (!a.multiple) return LwM2mValue.equals(a.value, (r as SingleResource).value);
      return mapsEqual(a.instances, (r as MultipleResource).instances);
    }
    case 'object-instance':
      return mapsEqual(a.resources, (b as ObjectInstance).resources);
    case 'object':
      return mapsEqual(a.instances, (b as LwM2mObject).instances);
  }
}

function mapsEqual(a: ReadonlyMap<number, LwM2mNode>, b: ReadonlyMap<number, LwM2mNode>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, node] of a) {
    const other = b.get(id);
    if (!other || !nodesEqual(node, other)) return false;
  }
  return true;
}

/**
 * Checks that `node` can sit at `path` (same level, same last id). Returns a message when not,
 * so encoders can turn it into an error of their own kind.
 */
export function nodePathMismatch(path: LwM2mPath, node: LwM2mNode): string | undefined {
  if (path.level !== node.kind) return `a ${node.kind} node cannot be addressed by ${path.level} path ${path}`;
  const last = path.ids[path.ids.length - 1];
  if (last !== node.id) return `node id ${node.id} does not match path ${path}`;
  return undefined;
}

/** Path of a child of `path` that holds `node` (e.g. /3/0 + resource 1 -> /3/0/1). */
export function childPath(path: LwM2mPath, node: LwM2mNode): LwM2mPath {
  return LwM2mPath.of(...path.ids, node.id);
}
