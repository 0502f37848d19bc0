import {
  CborMap,
  CborTagged,
  type CborValue,
  CborWriter,
  CodecError,
  ContentFormat,
  decodeCbor,
} from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink, type LwM2mValue } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import type { CompositeNodeCodec, NodeCodec } from './node-codec';
import { buildComposite, buildNode, checkNodeAtPath, type Leaf } from './node-leaves';
import { modelTypeAt, type RawValue, typeValue } from './value-typing';

/**
 * LwM2M CBOR (content format 11544, OMA LwM2M TS Core 1.2 section 7.4.6): nested CBOR maps keyed
 * by ids from the object down, with leaves holding the values. A key may be an array of ids that
 * stands for several levels at once. Encoding rules (deterministic):
 * - the path of the node is one key (an integer for /o, an array such as [3, 0] below), whose value
 *   is the node: a value for a single resource or resource instance, else nested maps keyed by id;
 * - empty object instances and multiple resources are empty maps (this format can carry them);
 * - integers and time as CBOR integers, floats always as floats in the smallest exact width (so a
 *   float stays a float without a model), strings, corelnk and objlnk ("3:0") as text, opaque as
 *   bytes.
 */
const NAME = 'LwM2M CBOR';

function writeValue(w: CborWriter, value: LwM2mValue): void {
  switch (value.type) {
    case 'string':
    case 'corelnk':
      w.text(value.value);
      return;
    case 'integer':
    case 'unsigned':
    case 'time':
      w.integer(value.value);
      return;
    case 'float':
      w.float(value.value);
      return;
    case 'boolean':
      w.boolean(value.value);
      return;
    case 'opaque':
      w.bytes(value.value);
      return;
    case 'objlnk':
      w.text(formatObjectLink(value.value));
      return;
  }
}

function writeNode(w: CborWriter, node: LwM2mNode): void {
  switch (node.kind) {
    case 'resource-instance':
      writeValue(w, node.value);
      return;
    case 'resource':
      if (!node.multiple) {
        writeValue(w, node.value);
        return;
      }
      w.mapHeader(node.instances.size);
      for (const ri of node.instances.values()) {
        w.integer(ri.id);
        writeValue(w, ri.value);
      }
      return;
    case 'object-instance':
      w.mapHeader(node.resources.size);
      for (const r of node.resources.values()) {
        w.integer(r.id);
        writeNode(w, r);
      }
      return;
    case 'object':
      w.mapHeader(node.instances.size);
      for (const oi of node.instances.values()) {
        w.integer(oi.id);
        writeNode(w, oi);
      }
      return;
  }
}

function writePathKey(w: CborWriter, path: LwM2mPath): void {
  if (path.ids.length === 1) {
    w.integer(path.ids[0]!);
    return;
  }
  w.arrayHeader(path.ids.length);
  for (const id of path.ids) w.integer(id);
}

function encodeEntries(entries: Iterable<readonly [LwM2mPath, LwM2mNode]>, count: number): Uint8Array {
  const w = new CborWriter(128);
  w.mapHeader(count);
  for (const [path, node] of entries) {
    checkNodeAtPath(node, path, NAME);
    writePathKey(w, path);
    writeNode(w, node);
  }
  return w.finish();
}

interface Flattened {
  leaves: { path: LwM2mPath; raw: RawValue }[];
  containers: LwM2mPath[];
}

function rawOf(value: CborValue, path: LwM2mPath): RawValue {
  if (typeof value === 'number' || typeof value === 'bigint') return { kind: 'number', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (value instanceof Uint8Array) return { kind: 'bytes', value };
  // Tag 1 (epoch-based date/time) is a legal way to send a time value.
  if (value instanceof CborTagged && value.tag === 1 && typeof value.value === 'number') {
    return { kind: 'number', value: value.value };
  }
  throw new CodecError(`${NAME}: unsupported value for ${path}`, { location: String(path) });
}

function keyIds(key: CborValue, at: LwM2mPath): number[] {
  const ids = Array.isArray(key) ? key : [key];
  if (ids.length === 0)
    throw new CodecError(`${NAME}: empty path array as a key under ${at}`, { location: String(at) });
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65535) {
      throw new CodecError(`${NAME}: key under ${at} is not an id in 0..65535`, { location: String(at) });
    }
  }
  return ids as number[];
}

function flatten(map: CborMap, at: LwM2mPath, out: Flattened, seen: Set<string>): void {
  if (map.entries.length === 0 && at.ids.length >= 2) out.containers.push(at);
  for (const [key, value] of map.entries) {
    const ids = [...at.ids, ...keyIds(key, at)];
    if (ids.length > 4)
      throw new CodecError(`${NAME}: path under ${at} is deeper than /o/i/r/ri`, { location: String(at) });
    const path = LwM2mPath.of(...ids);
    const text = path.toString();
    if (seen.has(text)) throw new CodecError(`${NAME}: ${text} appears twice`, { location: text });
    seen.add(text);
    if (value instanceof CborMap) {
      if (ids.length === 4) throw new CodecError(`${NAME}: resource instance ${path} holds a map`, { location: text });
      flatten(value, path, out, seen);
    } else {
      if (ids.length < 3)
        throw new CodecError(`${NAME}: a value needs a resource path, got ${path}`, { location: text });
      out.leaves.push({ path, raw: rawOf(value, path) });
    }
  }
}

function read(payload: Uint8Array): Flattened {
  const top = decodeCbor(payload, NAME);
  if (!(top instanceof CborMap)) throw new CodecError(`${NAME}: the payload must be a map`, { offset: 0 });
  const out: Flattened = { leaves: [], containers: [] };
  flatten(top, LwM2mPath.ROOT, out, new Set());
  return out;
}

function typed(flat: Flattened, lookup: ResourceModelLookup | undefined): Leaf[] {
  return flat.leaves.map((l) => ({ path: l.path, value: typeValue(l.raw, l.path, modelTypeAt(l.path, lookup)) }));
}

const composite: CompositeNodeCodec = {
  encodePaths() {
    throw new CodecError(`${NAME} does not carry path lists; use SenML for Read-Composite requests`, {
      responseCode: 0x86,
    });
  },
  decodePaths() {
    throw new CodecError(`${NAME} does not carry path lists; use SenML for Read-Composite requests`, {
      responseCode: 0x8f,
    });
  },
  encodeNodes(nodes) {
    const entries = [...nodes].map(([k, n]) => [typeof k === 'string' ? LwM2mPath.parse(k) : k, n] as const);
    return encodeEntries(entries, entries.length);
  },
  decodeNodes(payload, lookup, paths) {
    return buildComposite(typed(read(payload), lookup), lookup, paths, NAME);
  },
};

/** LwM2M CBOR (content format 11544). */
export const lwm2mCborNodeCodec: NodeCodec = {
  contentFormat: ContentFormat.LWM2M_CBOR,
  name: NAME,
  composite,
  encode(node, path) {
    if (path.isRoot()) throw new CodecError(`${NAME}: cannot encode a node at "/"`, { responseCode: 0x86 });
    return encodeEntries([[path, node]], 1);
  },
  decode(payload, path, lookup) {
    const flat = read(payload);
    return buildNode(path, typed(flat, lookup), lookup, NAME, flat.containers);
  },
};
