/**
 * Downlink requests <-> plain JSON, so durable stores (request queues in Redis, a database)
 * can keep them: paths as text, nodes with typed values, bigint as decimal text, opaque as
 * base64url.
 */
import { decodeBase64Url, encodeBase64Url } from '@lwm2m-ts/codec';
import {
  type LwM2mNode,
  LwM2mObject,
  LwM2mPath,
  LwM2mValue,
  type LwM2mValueType,
  ObjectInstance,
  Resource,
  ResourceInstance,
} from '@lwm2m-ts/objects';
import type { DownlinkRequest } from './downlink-requests';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const marker = Symbol.for('lwm2m-ts.server.request-json-error');
export class RequestJsonError extends Error {
  readonly [marker] = true;
  constructor(message: string) {
    super(message);
    this.name = 'RequestJsonError';
  }
}

function valueToJson(value: LwM2mValue): JsonValue {
  switch (value.type) {
    case 'opaque':
      return { t: 'opaque', v: encodeBase64Url(value.value) };
    case 'integer':
    case 'unsigned':
      return { t: value.type, v: typeof value.value === 'bigint' ? value.value.toString() : value.value };
    case 'objlnk':
      return { t: 'objlnk', v: [value.value.objectId, value.value.instanceId] };
    default:
      return { t: value.type, v: value.value as string | number | boolean };
  }
}

function valueFromJson(json: { t: LwM2mValueType; v: JsonValue }): LwM2mValue {
  const v = json.v;
  switch (json.t) {
    case 'opaque':
      return LwM2mValue.opaque(decodeBase64Url(String(v)));
    case 'integer':
    case 'unsigned':
      return LwM2mValue.of(json.t, typeof v === 'string' ? BigInt(v) : Number(v));
    case 'objlnk': {
      const [o, i] = v as [number, number];
      return LwM2mValue.objlnk(o, i);
    }
    default:
      return LwM2mValue.of(json.t, v as never);
  }
}

export function nodeToJson(node: LwM2mNode): JsonValue {
  switch (node.kind) {
    case 'resource-instance':
      return { k: 'ri', id: node.id, value: valueToJson(node.value) };
    case 'resource':
      return node.multiple
        ? { k: 'rm', id: node.id, type: node.type, instances: [...node.instances.values()].map(nodeToJson) }
        : { k: 'r', id: node.id, value: valueToJson(node.value) };
    case 'object-instance':
      return { k: 'oi', id: node.id, resources: [...node.resources.values()].map(nodeToJson) };
    case 'object':
      return { k: 'o', id: node.id, instances: [...node.instances.values()].map(nodeToJson) };
  }
}

interface NodeJson {
  readonly k: string;
  readonly id: number;
  readonly value: { t: LwM2mValueType; v: JsonValue };
  readonly type?: LwM2mValueType;
  readonly instances?: JsonValue[];
  readonly resources?: JsonValue[];
}

export function nodeFromJson(json: JsonValue): LwM2mNode {
  const n = json as unknown as NodeJson;
  switch (n.k) {
    case 'ri':
      return ResourceInstance.of(n.id, valueFromJson(n.value));
    case 'r':
      return Resource.single(n.id, valueFromJson(n.value));
    case 'rm':
      return Resource.multiple(
        n.id,
        n.type!,
        (n.instances ?? []).map((i) => nodeFromJson(i) as ResourceInstance),
      );
    case 'oi':
      return ObjectInstance.of(
        n.id,
        (n.resources ?? []).map((r) => nodeFromJson(r) as Resource),
      );
    case 'o':
      return LwM2mObject.of(
        n.id,
        (n.instances ?? []).map((i) => nodeFromJson(i) as ObjectInstance),
      );
    default:
      throw new RequestJsonError(`unknown node kind "${String(n.k)}"`);
  }
}

/** A request as JSON (`JSON.stringify`-safe). */
export function requestToJson(request: DownlinkRequest): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue;
    if (value instanceof LwM2mPath) out[key] = value.toString();
    else if (key === 'node') out[key] = nodeToJson(value as LwM2mNode);
    else if (key === 'instances') out[key] = (value as LwM2mNode[]).map(nodeToJson);
    else if (key === 'paths') out[key] = (value as LwM2mPath[]).map(String);
    else if (key === 'nodes') out[key] = [...(value as Map<string, LwM2mNode>)].map(([p, n]) => [p, nodeToJson(n)]);
    else out[key] = value as JsonValue;
  }
  return out;
}

/** The inverse of `requestToJson`; throws `RequestJsonError` (or a CodecError for a bad path). */
export function requestFromJson(json: JsonValue): DownlinkRequest {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof json.kind !== 'string') {
    throw new RequestJsonError('not a serialized downlink request');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'path') out[key] = LwM2mPath.parse(String(value));
    else if (key === 'node') out[key] = nodeFromJson(value);
    else if (key === 'instances') out[key] = (value as JsonValue[]).map(nodeFromJson);
    else if (key === 'paths') out[key] = (value as string[]).map((p) => LwM2mPath.parse(p));
    else if (key === 'nodes')
      out[key] = new Map((value as [string, JsonValue][]).map(([p, n]) => [p, nodeFromJson(n)]));
    else out[key] = value;
  }
  return out as unknown as DownlinkRequest;
}
