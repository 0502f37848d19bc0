import { CodecError, ContentFormat } from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink, type LwM2mValue } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import type { NodeCodec } from './node-codec';
import { buildNode, checkNodeAtPath, flattenNode, type Leaf } from './node-leaves';
import { formatTextValue } from './text-format';
import { modelTypeAt, type RawValue, typeValue } from './value-typing';

/**
 * The legacy LwM2M JSON format (content format 11543, OMA LwM2M TS 1.0/1.1 section 7.4.5):
 * `{"bn": base name, "e": [{"n": name, "v" | "sv" | "bv" | "ov": value, "t": time}]}`.
 * Naming follows the SenML rules of this package (bn = path + "/" for containers, the full path
 * for a single value). Opaque values travel base64-encoded in `sv`, objlnk as "o:i" in `ov`.
 */
const NAME = 'LwM2M JSON';
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function entryValue(value: LwM2mValue): string {
  switch (value.type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      return `"v":${String(value.value)}`;
    case 'float':
      if (!Number.isFinite(value.value))
        throw new CodecError(`${NAME} cannot carry ${value.value}`, { responseCode: 0x86 });
      return `"v":${JSON.stringify(value.value)}`;
    case 'boolean':
      return `"bv":${value.value}`;
    case 'objlnk':
      return `"ov":${JSON.stringify(formatObjectLink(value.value))}`;
    default:
      return `"sv":${JSON.stringify(formatTextValue(value))}`;
  }
}

function encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  checkNodeAtPath(node, path, NAME);
  const leaves = flattenNode(node, path);
  const single = node.kind === 'resource-instance' || (node.kind === 'resource' && !node.multiple);
  const bn = single ? path.toString() : `${path}/`;
  const entries = leaves.map((leaf) => {
    const name = leaf.path.toString().slice(bn.length);
    return `{${name === '' ? '' : `"n":${JSON.stringify(name)},`}${entryValue(leaf.value)}}`;
  });
  return utf8Encoder.encode(`{"bn":${JSON.stringify(bn)},"e":[${entries.join(',')}]}`);
}

function rawOf(entry: Record<string, unknown>, location: string): RawValue {
  const fields = ['v', 'sv', 'bv', 'ov'].filter((k) => entry[k] !== undefined);
  if (fields.length !== 1) throw new CodecError(`${NAME}: an entry needs exactly one of v, sv, bv, ov`, { location });
  const key = fields[0]!;
  const value = entry[key];
  const expect = key === 'v' ? 'number' : key === 'bv' ? 'boolean' : 'string';
  if (typeof value !== expect) throw new CodecError(`${NAME}: "${key}" must be a ${expect}`, { location });
  if (key === 'v') return { kind: 'number', value: value as number };
  if (key === 'bv') return { kind: 'boolean', value: value as boolean };
  if (key === 'ov') return { kind: 'objlnk', value: value as string };
  return { kind: 'string', value: value as string };
}

function decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8Decoder.decode(payload));
  } catch (e) {
    throw new CodecError(`${NAME}: not valid JSON (${(e as Error).message})`, { location: String(path) });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CodecError(`${NAME}: the payload must be an object with "e"`, { location: String(path) });
  }
  const { bn = '', e } = doc as { bn?: unknown; e?: unknown };
  if (typeof bn !== 'string') throw new CodecError(`${NAME}: "bn" must be a string`, { location: 'bn' });
  if (!Array.isArray(e)) throw new CodecError(`${NAME}: "e" must be an array`, { location: 'e' });
  const leaves: Leaf[] = e.map((entry: unknown, i) => {
    const location = `e[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new CodecError(`${NAME}: entry must be an object`, { location });
    }
    const n = (entry as { n?: unknown }).n ?? '';
    if (typeof n !== 'string') throw new CodecError(`${NAME}: "n" must be a string`, { location });
    const name = bn + n;
    const leafPath = name.startsWith('/') ? LwM2mPath.tryParse(name) : undefined;
    if (!leafPath || leafPath.ids.length < 3) {
      throw new CodecError(`${NAME}: "${name}" is not a resource path`, { location });
    }
    const raw = rawOf(entry as Record<string, unknown>, location);
    const type = modelTypeAt(leafPath, lookup);
    // Opaque goes as base64 text in sv; everything else is typed like the other formats.
    return { path: leafPath, value: typeValue(raw, leafPath, type) };
  });
  return buildNode(path, leaves, lookup, NAME);
}

/** Legacy LwM2M JSON (content format 11543). */
export const lwm2mJsonNodeCodec: NodeCodec = { contentFormat: ContentFormat.LWM2M_JSON, name: NAME, encode, decode };
