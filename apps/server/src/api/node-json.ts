/**
 * LwM2M nodes as JSON for the REST API and the event stream, and back (write/create bodies).
 * Values keep their LwM2M type; 64-bit integers beyond 2^53 travel as decimal strings, opaque
 * as hex, objlnk as "o:i", time as seconds since the epoch.
 */
import {
  formatObjectLink,
  type LwM2mNode,
  LwM2mObject,
  type LwM2mPath,
  LwM2mValue,
  type LwM2mValueType,
  ObjectInstance,
  parseObjectLink,
  Resource,
  ResourceInstance,
  type ResourceModel,
} from '@lwm2m-ts/objects';

export type JsonScalar = string | number | boolean;
export type ResourceJson =
  | { kind: 'resource'; id: number; type: LwM2mValueType; multiple?: false; value: JsonScalar }
  | { kind: 'resource'; id: number; type: LwM2mValueType; multiple: true; values: Record<string, JsonScalar> };
export type ResourceInstanceJson = { kind: 'resource-instance'; id: number; type: LwM2mValueType; value: JsonScalar };
export type InstanceJson = { kind: 'object-instance'; id: number; resources: ResourceJson[] };
export type ObjectJson = { kind: 'object'; id: number; instances: InstanceJson[] };
export type NodeJson = ObjectJson | InstanceJson | ResourceJson | ResourceInstanceJson;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function valueToJson(value: LwM2mValue): JsonScalar {
  switch (value.type) {
    case 'integer':
    case 'unsigned':
      return typeof value.value === 'bigint' ? value.value.toString() : value.value;
    case 'opaque':
      return hex(value.value);
    case 'objlnk':
      return formatObjectLink(value.value);
    default:
      return value.value;
  }
}

function resourceToJson(resource: Resource): ResourceJson {
  if (!resource.multiple) {
    return { kind: 'resource', id: resource.id, type: resource.type, value: valueToJson(resource.value) };
  }
  const values: Record<string, JsonScalar> = {};
  for (const [id, instance] of resource.instances) values[String(id)] = valueToJson(instance.value);
  return { kind: 'resource', id: resource.id, type: resource.type, multiple: true, values };
}

function instanceToJson(instance: ObjectInstance): InstanceJson {
  return { kind: 'object-instance', id: instance.id, resources: [...instance.resources.values()].map(resourceToJson) };
}

export function nodeToJson(node: LwM2mNode): NodeJson {
  switch (node.kind) {
    case 'object':
      return { kind: 'object', id: node.id, instances: [...node.instances.values()].map(instanceToJson) };
    case 'object-instance':
      return instanceToJson(node);
    case 'resource':
      return resourceToJson(node);
    case 'resource-instance':
      return { kind: 'resource-instance', id: node.id, type: node.value.type, value: valueToJson(node.value) };
  }
}

/** A request body the API cannot turn into a node; answered with 400. */
export class NodeJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeJsonError';
  }
}

const VALUE_TYPES: readonly LwM2mValueType[] = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
];

function fail(message: string): never {
  throw new NodeJsonError(message);
}

function integerOf(raw: unknown, where: string): number | bigint {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) {
    const big = BigInt(raw.trim());
    return Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }
  return fail(`${where}: expected an integer, got ${JSON.stringify(raw)}`);
}

/** Builds a typed value from JSON (or from the text of a text/plain body). */
export function valueFromJson(type: LwM2mValueType, raw: unknown, where: string): LwM2mValue {
  try {
    switch (type) {
      case 'string':
      case 'corelnk':
        if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
          fail(`${where}: expected a string`);
        return LwM2mValue.of(type, String(raw));
      case 'integer':
        return LwM2mValue.integer(integerOf(raw, where));
      case 'unsigned':
        return LwM2mValue.unsigned(integerOf(raw, where));
      case 'float': {
        const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
        if (typeof n !== 'number' || Number.isNaN(n)) fail(`${where}: expected a number, got ${JSON.stringify(raw)}`);
        return LwM2mValue.float(n);
      }
      case 'boolean':
        if (raw === true || raw === 'true' || raw === '1' || raw === 1) return LwM2mValue.boolean(true);
        if (raw === false || raw === 'false' || raw === '0' || raw === 0) return LwM2mValue.boolean(false);
        return fail(`${where}: expected true or false, got ${JSON.stringify(raw)}`);
      case 'opaque': {
        if (typeof raw !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(raw)) fail(`${where}: expected hex bytes`);
        const bytes = new Uint8Array(raw.length / 2);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(raw.slice(i * 2, i * 2 + 2), 16);
        return LwM2mValue.opaque(bytes);
      }
      case 'time': {
        if (typeof raw === 'string' && !/^-?\d+$/.test(raw.trim())) {
          const ms = Date.parse(raw);
          if (Number.isNaN(ms)) fail(`${where}: expected seconds since the epoch or an ISO date`);
          return LwM2mValue.time(new Date(ms));
        }
        return LwM2mValue.time(Number(integerOf(raw, where)));
      }
      case 'objlnk': {
        const link = typeof raw === 'string' ? parseObjectLink(raw.trim()) : undefined;
        if (!link) return fail(`${where}: expected an object link "objectId:instanceId"`);
        return LwM2mValue.objlnk(link.objectId, link.instanceId);
      }
    }
  } catch (error) {
    if (error instanceof NodeJsonError) throw error;
    fail(`${where}: ${(error as Error).message}`);
  }
}

/** Resolves resource models of the object being written (by the client's object version). */
export type ResourceModelOf = (objectId: number, resourceId: number) => ResourceModel | undefined;

function typeOf(json: { type?: unknown }, model: ResourceModel | undefined, where: string): LwM2mValueType {
  if (json.type !== undefined) {
    if (!VALUE_TYPES.includes(json.type as LwM2mValueType)) fail(`${where}: unknown type ${JSON.stringify(json.type)}`);
    return json.type as LwM2mValueType;
  }
  if (model && model.type !== 'none') return model.type;
  return fail(`${where}: no "type" given and the resource model does not define one`);
}

function asRecord(json: unknown, where: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(`${where}: expected a JSON object`);
  return json as Record<string, unknown>;
}

function idOf(json: Record<string, unknown>, where: string, fallback?: number): number {
  const id = json.id ?? fallback;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65535) fail(`${where}: "id" must be 0..65535`);
  return id;
}

function resourceFromJson(
  raw: unknown,
  objectId: number,
  modelOf: ResourceModelOf,
  where: string,
  fallbackId?: number,
) {
  const json = asRecord(raw, where);
  const id = idOf(json, where, fallbackId);
  const here = `${where}/${id}`;
  const model = modelOf(objectId, id);
  const type = typeOf(json, model, here);
  const multiple = json.multiple ?? (json.values !== undefined ? true : (model?.multiple ?? false));
  if (multiple) {
    const values = asRecord(json.values ?? {}, `${here} values`);
    const instances = Object.entries(values).map(([key, v]) => {
      const ri = Number(key);
      if (!Number.isInteger(ri) || ri < 0 || ri > 65535) fail(`${here}: resource instance id "${key}" is not 0..65535`);
      return ResourceInstance.of(ri, valueFromJson(type, v, `${here}/${ri}`));
    });
    return Resource.multiple(id, type, instances);
  }
  if (!('value' in json)) fail(`${here}: a single resource needs "value"`);
  return Resource.single(id, valueFromJson(type, json.value, here));
}

function instanceFromJson(
  raw: unknown,
  objectId: number,
  modelOf: ResourceModelOf,
  where: string,
  fallbackId?: number,
) {
  const json = asRecord(raw, where);
  const id = idOf(json, where, fallbackId);
  if (!Array.isArray(json.resources)) fail(`${where}/${id}: "resources" must be an array`);
  const resources = json.resources.map((r) => resourceFromJson(r, objectId, modelOf, `${where}/${id}`));
  try {
    return ObjectInstance.of(id, resources);
  } catch (error) {
    return fail(`${where}/${id}: ${(error as Error).message}`);
  }
}

/**
 * The node a write/create body describes at `path`. Types may be left out; they come from the
 * models. Ids may be left out where the path names them.
 */
export function nodeFromJson(raw: unknown, path: LwM2mPath, modelOf: ResourceModelOf): LwM2mNode {
  const objectId = path.objectId ?? fail('a node needs an object id in its path');
  const json = asRecord(raw, String(path));
  const kind = json.kind;
  switch (path.level) {
    case 'object':
      if (kind !== undefined && kind !== 'object') return instanceFromJson(json, objectId, modelOf, `/${objectId}`);
      if (!Array.isArray(json.instances)) fail(`/${objectId}: "instances" must be an array`);
      return LwM2mObject.of(
        objectId,
        json.instances.map((i) => instanceFromJson(i, objectId, modelOf, `/${objectId}`)),
      );
    case 'object-instance':
      return instanceFromJson(json, objectId, modelOf, `/${objectId}`, path.objectInstanceId);
    case 'resource':
      return resourceFromJson(json, objectId, modelOf, `/${objectId}/${path.objectInstanceId}`, path.resourceId);
    case 'resource-instance': {
      const model = modelOf(objectId, path.resourceId ?? -1);
      const type = typeOf(json, model, String(path));
      if (!('value' in json)) fail(`${path}: a resource instance needs "value"`);
      return ResourceInstance.of(path.resourceInstanceId ?? 0, valueFromJson(type, json.value, String(path)));
    }
    default:
      return fail(`${path}: cannot write the root`);
  }
}

/** A text/plain write body: the value of one resource (or resource instance), typed by its model. */
export function nodeFromText(text: string, path: LwM2mPath, modelOf: ResourceModelOf): LwM2mNode {
  if (path.level !== 'resource' && path.level !== 'resource-instance') {
    fail(`${path}: a text body writes one resource; send JSON for an instance`);
  }
  const model = modelOf(path.objectId ?? -1, path.resourceId ?? -1);
  const type = typeOf({}, model, String(path));
  const value = valueFromJson(type, text, String(path));
  return path.level === 'resource'
    ? Resource.single(path.resourceId ?? 0, value)
    : ResourceInstance.of(path.resourceInstanceId ?? 0, value);
}
