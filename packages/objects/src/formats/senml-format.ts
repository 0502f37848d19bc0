import {
  CodecError,
  ContentFormat,
  decodeSenmlCbor,
  decodeSenmlJson,
  encodeSenmlCbor,
  encodeSenmlJson,
  type ResolvedSenmlRecord,
  resolveSenml,
  type SenmlRecord,
} from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink, type LwM2mValue } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import type { CompositeNodeCodec, NodeCodec } from './node-codec';
import { buildComposite, buildNode, checkNodeAtPath, type Leaf } from './node-leaves';
import { writeSenmlCborComposite, writeSenmlCborNode } from './senml-cbor-node-writer';
import { modelTypeAt, type RawValue, typeValue } from './value-typing';

/**
 * SenML naming for LwM2M (OMA LwM2M TS Core 1.1+, 7.4.4 / 7.4.5): the resolved name (bn + n) of
 * each record is the full path of one value. Encoding rules, chosen to match the seed examples:
 * - a single resource or resource instance: one record, `bn` = its full path, no `n`;
 * - an object, object instance or multiple resource: `bn` = path + "/" on the first record, each
 *   record's `n` = the rest of the path ("0", "6/0");
 * - composite bodies (several paths): no `bn`, `n` = the full path of every value.
 */
interface SenmlSyntax {
  readonly contentFormat: number;
  readonly name: string;
  encodeRecords(records: readonly SenmlRecord[]): Uint8Array;
  decodeRecords(payload: Uint8Array): SenmlRecord[];
  /** Optional fast paths that write straight from nodes (same bytes as going through records). */
  encodeNode?(node: LwM2mNode, path: LwM2mPath): Uint8Array;
  encodeComposite?(entries: readonly (readonly [LwM2mPath, LwM2mNode])[]): Uint8Array;
}

type MutableRecord = { -readonly [K in keyof SenmlRecord]: SenmlRecord[K] };

function valueRecord(n: string | undefined, value: LwM2mValue): MutableRecord {
  const r: MutableRecord = {};
  if (n !== undefined && n !== '') r.n = n;
  switch (value.type) {
    case 'string':
    case 'corelnk':
      r.vs = value.value;
      break;
    case 'integer':
    case 'unsigned':
    case 'float':
    case 'time':
      r.v = value.value;
      break;
    case 'boolean':
      r.vb = value.value;
      break;
    case 'opaque':
      r.vd = value.value;
      break;
    case 'objlnk':
      r.vlo = formatObjectLink(value.value);
      break;
  }
  return r;
}

/** Appends one record per value under `node`, named `name` + the ids below it. */
function collectRecords(node: LwM2mNode, name: string, out: MutableRecord[]): void {
  const prefix = name === '' || name.endsWith('/') ? name : `${name}/`;
  switch (node.kind) {
    case 'resource-instance':
      out.push(valueRecord(name, node.value));
      return;
    case 'resource':
      if (!node.multiple) out.push(valueRecord(name, node.value));
      else for (const ri of node.instances.values()) out.push(valueRecord(prefix + ri.id, ri.value));
      return;
    case 'object-instance':
      for (const r of node.resources.values()) collectRecords(r, prefix + r.id, out);
      return;
    case 'object':
      for (const oi of node.instances.values()) collectRecords(oi, prefix + oi.id, out);
      return;
  }
}

function rawValue(r: ResolvedSenmlRecord): RawValue | undefined {
  if (r.v !== undefined) return { kind: 'number', value: r.v };
  if (r.vs !== undefined) return { kind: 'string', value: r.vs };
  if (r.vb !== undefined) return { kind: 'boolean', value: r.vb };
  if (r.vd !== undefined) return { kind: 'bytes', value: r.vd };
  if (r.vlo !== undefined) return { kind: 'objlnk', value: r.vlo };
  return undefined;
}

function parseName(name: string, index: number, format: string): LwM2mPath {
  const path = LwM2mPath.tryParse(name);
  if (!path || !name.startsWith('/')) {
    throw new CodecError(`${format}: record name "${name}" is not an LwM2M path`, { location: `record ${index}` });
  }
  return path;
}

function toLeaves(
  records: readonly ResolvedSenmlRecord[],
  lookup: ResourceModelLookup | undefined,
  format: string,
): Leaf[] {
  return records.map((r, i) => {
    const path = parseName(r.n, i, format);
    const raw = rawValue(r);
    if (!raw) throw new CodecError(`${format}: record ${r.n} has no value`, { location: `record ${i}` });
    if (path.ids.length < 3)
      throw new CodecError(`${format}: a value needs a resource path, got ${path}`, { location: `record ${i}` });
    return { path, value: typeValue(raw, path, modelTypeAt(path, lookup)) };
  });
}

function toPathKey(key: LwM2mPath | string): LwM2mPath {
  return typeof key === 'string' ? LwM2mPath.parse(key) : key;
}

function createSenmlCodec(syntax: SenmlSyntax): NodeCodec {
  const format = syntax.name;
  const decodeResolved = (payload: Uint8Array) => resolveSenml(syntax.decodeRecords(payload));

  const composite: CompositeNodeCodec = {
    encodePaths(paths) {
      return syntax.encodeRecords(paths.map((p) => ({ n: p.toString() })));
    },
    decodePaths(payload) {
      return decodeResolved(payload).map((r, i) => {
        if (rawValue(r) !== undefined) {
          throw new CodecError(`${format}: a path list record carries a value`, { location: `record ${i}` });
        }
        return parseName(r.n, i, format);
      });
    },
    encodeNodes(nodes) {
      if (syntax.encodeComposite) {
        const entries = [...nodes].map(([key, node]) => {
          const path = toPathKey(key);
          checkNodeAtPath(node, path, format);
          return [path, node] as const;
        });
        return syntax.encodeComposite(entries);
      }
      const records: MutableRecord[] = [];
      for (const [key, node] of nodes) {
        const path = toPathKey(key);
        checkNodeAtPath(node, path, format);
        collectRecords(node, path.toString(), records);
      }
      return syntax.encodeRecords(records);
    },
    decodeNodes(payload, lookup, paths) {
      return buildComposite(toLeaves(decodeResolved(payload), lookup, format), lookup, paths, format);
    },
    encodeTimestamped(groups) {
      const records: MutableRecord[] = [];
      for (const group of groups) {
        const first = records.length;
        for (const [key, node] of group.nodes) {
          const path = toPathKey(key);
          checkNodeAtPath(node, path, format);
          collectRecords(node, path.toString(), records);
        }
        // Each record carries its own `t`: no base time leaks into the next group.
        if (group.timestamp !== undefined) for (let i = first; i < records.length; i++) records[i]!.t = group.timestamp;
      }
      return syntax.encodeRecords(records);
    },
    decodeTimestamped(payload, lookup) {
      const resolved = decodeResolved(payload);
      const leaves = toLeaves(resolved, lookup, format);
      const groups = new Map<number | undefined, Leaf[]>();
      resolved.forEach((r, i) => {
        const list = groups.get(r.t) ?? [];
        groups.set(r.t, list);
        list.push(leaves[i]!);
      });
      return [...groups].map(([timestamp, list]) => ({
        timestamp,
        nodes: buildComposite(list, lookup, undefined, format),
      }));
    },
  };

  return {
    contentFormat: syntax.contentFormat,
    name: format,
    composite,
    encode(node, path) {
      checkNodeAtPath(node, path, format);
      if (syntax.encodeNode) return syntax.encodeNode(node, path);
      if (node.kind === 'resource-instance' || (node.kind === 'resource' && !node.multiple)) {
        const record = valueRecord(undefined, node.value);
        record.bn = path.toString();
        return syntax.encodeRecords([record]);
      }
      const records: MutableRecord[] = [];
      collectRecords(node, '', records);
      if (records[0]) records[0].bn = `${path}/`;
      return syntax.encodeRecords(records);
    },
    decode(payload, path, lookup) {
      return buildNode(path, toLeaves(decodeResolved(payload), lookup, format), lookup, format);
    },
  };
}

/** SenML JSON (content format 110) with LwM2M naming. */
export const senmlJsonNodeCodec: NodeCodec = createSenmlCodec({
  contentFormat: ContentFormat.SENML_JSON,
  name: 'SenML JSON',
  encodeRecords: encodeSenmlJson,
  decodeRecords: decodeSenmlJson,
});

/** SenML CBOR (content format 112) with LwM2M naming. */
export const senmlCborNodeCodec: NodeCodec = createSenmlCodec({
  contentFormat: ContentFormat.SENML_CBOR,
  name: 'SenML CBOR',
  encodeRecords: encodeSenmlCbor,
  decodeRecords: decodeSenmlCbor,
  encodeNode: writeSenmlCborNode,
  encodeComposite: writeSenmlCborComposite,
});

/** SenML CBOR going through `SenmlRecord`s only (the reference the fast node writer must match). */
export const senmlCborRecordNodeCodec: NodeCodec = createSenmlCodec({
  contentFormat: ContentFormat.SENML_CBOR,
  name: 'SenML CBOR',
  encodeRecords: encodeSenmlCbor,
  decodeRecords: decodeSenmlCbor,
});
