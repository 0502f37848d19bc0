import {
  CodecError,
  ContentFormat,
  decodeTlv,
  decodeTlvBoolean,
  decodeTlvFloat,
  decodeTlvInteger,
  decodeTlvObjlnk,
  decodeTlvString,
  decodeTlvTime,
  decodeTlvUnsigned,
  encodeTlv,
  encodeTlvBoolean,
  encodeTlvFloat,
  encodeTlvInteger,
  encodeTlvObjlnk,
  encodeTlvString,
  encodeTlvTime,
  encodeTlvUnsigned,
  type TlvEntry,
} from '@lwm2m-ts/codec';
import type { ResourceModelLookup, ResourceType } from '../model/types';
import {
  type LwM2mNode,
  LwM2mObject,
  ObjectInstance,
  type ObjectInstance as ObjectInstanceNode,
  Resource,
  ResourceInstance,
  type Resource as ResourceNode,
} from '../node/node';
import { LwM2mValue, type LwM2mValueType } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';
import type { NodeCodec } from './node-codec';
import { checkNodeAtPath } from './node-leaves';
import { modelTypeAt } from './value-typing';

const NAME = 'LwM2M TLV';

function encodeValue(value: LwM2mValue): Uint8Array {
  switch (value.type) {
    case 'string':
    case 'corelnk':
      return encodeTlvString(value.value);
    case 'integer':
      return encodeTlvInteger(value.value);
    case 'unsigned':
      return encodeTlvUnsigned(value.value);
    case 'float':
      return encodeTlvFloat(value.value);
    case 'boolean':
      return encodeTlvBoolean(value.value);
    case 'opaque':
      return value.value;
    case 'time':
      return encodeTlvTime(value.value);
    case 'objlnk':
      return encodeTlvObjlnk(value.value.objectId, value.value.instanceId);
  }
}

/** Types a TLV value by the model; unknown resources decode as opaque (TLV does not say). */
function decodeValue(bytes: Uint8Array, type: ResourceType | undefined, path: LwM2mPath): LwM2mValue {
  try {
    switch (type) {
      case undefined:
      case 'none':
      case 'opaque':
        return LwM2mValue.opaque(bytes);
      case 'string':
        return LwM2mValue.string(decodeTlvString(bytes));
      case 'corelnk':
        return LwM2mValue.corelnk(decodeTlvString(bytes));
      case 'integer':
        return LwM2mValue.integer(decodeTlvInteger(bytes));
      case 'unsigned':
        return LwM2mValue.unsigned(decodeTlvUnsigned(bytes));
      case 'float':
        return LwM2mValue.float(decodeTlvFloat(bytes));
      case 'boolean':
        return LwM2mValue.boolean(decodeTlvBoolean(bytes));
      case 'time':
        return LwM2mValue.time(decodeTlvTime(bytes));
      case 'objlnk': {
        const link = decodeTlvObjlnk(bytes);
        return LwM2mValue.objlnk(link.objectId, link.instanceId);
      }
    }
  } catch (e) {
    throw new CodecError(`${NAME}: resource ${path}: ${(e as Error).message}`, { location: String(path), cause: e });
  }
}

function resourceEntry(r: ResourceNode): TlvEntry {
  if (!r.multiple) return { type: 'resource', id: r.id, value: encodeValue(r.value) };
  return {
    type: 'multiple-resource',
    id: r.id,
    children: [...r.instances.values()].map((ri) => ({
      type: 'resource-instance',
      id: ri.id,
      value: encodeValue(ri.value),
    })),
  };
}

function instanceEntry(oi: ObjectInstanceNode): TlvEntry {
  return { type: 'object-instance', id: oi.id, children: [...oi.resources.values()].map(resourceEntry) };
}

function encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  checkNodeAtPath(node, path, NAME);
  switch (node.kind) {
    case 'object':
      return encodeTlv([...node.instances.values()].map(instanceEntry));
    case 'object-instance':
      // A read on /o/i answers with the resources themselves, not wrapped in an instance entry.
      return encodeTlv([...node.resources.values()].map(resourceEntry));
    case 'resource':
      return encodeTlv([resourceEntry(node)]);
    case 'resource-instance':
      return encodeTlv([{ type: 'resource-instance', id: node.id, value: encodeValue(node.value) }]);
  }
}

function fail(message: string, path: LwM2mPath): never {
  throw new CodecError(`${NAME}: ${message}`, { location: String(path) });
}

function toResource(entry: TlvEntry, instancePath: LwM2mPath, lookup: ResourceModelLookup | undefined): ResourceNode {
  const path = instancePath.child(entry.id);
  const model = lookup?.(path.objectId!, entry.id);
  const type = model?.type === 'none' ? undefined : model?.type;
  const multiple = model?.multiple;
  if (entry.type === 'resource') {
    if (multiple === true) fail(`resource ${path} is multiple but came as a single resource`, path);
    return Resource.single(entry.id, decodeValue(entry.value, type, path));
  }
  if (entry.type !== 'multiple-resource') return fail(`expected a resource at ${path}, got a ${entry.type}`, path);
  if (multiple === false) fail(`resource ${path} is single but came as a multiple resource`, path);
  const instances = entry.children.map((c) =>
    ResourceInstance.of(c.id, decodeValue((c as { value: Uint8Array }).value, type, path.child(c.id))),
  );
  const valueType: LwM2mValueType = type ?? 'opaque';
  return Resource.multiple(entry.id, valueType, unique(instances, path, 'resource instance'));
}

function toInstance(
  id: number,
  entries: readonly TlvEntry[],
  objectPath: LwM2mPath,
  lookup: ResourceModelLookup | undefined,
) {
  const path = objectPath.child(id);
  return ObjectInstance.of(
    id,
    unique(
      entries.map((e) => toResource(e, path, lookup)),
      path,
      'resource',
    ),
  );
}

function unique<T extends { id: number }>(items: T[], path: LwM2mPath, what: string): T[] {
  const seen = new Set<number>();
  for (const item of items) {
    if (seen.has(item.id)) fail(`duplicate ${what} ${item.id} under ${path}`, path);
    seen.add(item.id);
  }
  return items;
}

function decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
  const entries = decodeTlv(payload);
  const only = (): TlvEntry => {
    if (entries.length !== 1) fail(`expected exactly one entry for ${path}, got ${entries.length}`, path);
    return entries[0]!;
  };
  switch (path.level) {
    case 'root':
      return fail('a payload cannot be decoded as the root node "/"', path);
    case 'object': {
      const instances = entries.map((e) =>
        e.type === 'object-instance'
          ? toInstance(e.id, e.children, path, lookup)
          : fail(`expected object instances in ${path}, got a ${e.type}`, path),
      );
      return LwM2mObject.of(path.objectId!, unique(instances, path, 'object instance'));
    }
    case 'object-instance': {
      // Accept both forms: the resources, or the resources wrapped in one object-instance entry.
      const first = entries[0];
      if (entries.length === 1 && first?.type === 'object-instance') {
        if (first.id !== path.objectInstanceId) fail(`object instance ${first.id} does not match ${path}`, path);
        return toInstance(first.id, first.children, path.parent(), lookup);
      }
      return toInstance(path.objectInstanceId!, entries, path.parent(), lookup);
    }
    case 'resource': {
      const e = only();
      if (e.id !== path.resourceId) fail(`resource ${e.id} does not match ${path}`, path);
      return toResource(e, path.parent(), lookup);
    }
    case 'resource-instance': {
      const e = only();
      if (e.type !== 'resource-instance' || e.id !== path.resourceInstanceId) {
        fail(`expected resource instance ${path.resourceInstanceId}, got ${e.type} ${e.id}`, path);
      }
      return ResourceInstance.of(e.id, decodeValue(e.value, modelTypeAt(path, lookup), path));
    }
  }
}

/** LwM2M TLV (content format 11542). Unknown resources decode as opaque: TLV carries no type. */
export const tlvNodeCodec: NodeCodec = { contentFormat: ContentFormat.LWM2M_TLV, name: NAME, encode, decode };
