import { CborTagged, CborWriter, CodecError, ContentFormat, decodeCbor } from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';
import type { NodeCodec } from './node-codec';
import { singleValueNode, singleValueOf } from './single-value';
import { modelTypeAt, type RawValue, typeValue } from './value-typing';

/**
 * Plain CBOR (application/cbor, content format 60; OMA LwM2M TS Core 1.1+, 7.4.3): one value of
 * a single resource or resource instance as one CBOR data item. Integers and time as CBOR
 * integers (tag 1 accepted for time), floats in the smallest exact width, strings and corelnk as
 * text, objlnk as text "o:i", opaque as a byte string.
 */
const NAME = 'CBOR';

function encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  const value = singleValueOf(node, path, NAME);
  const w = new CborWriter(16);
  switch (value.type) {
    case 'string':
    case 'corelnk':
      w.text(value.value);
      break;
    case 'integer':
    case 'unsigned':
    case 'time':
      w.integer(value.value);
      break;
    case 'float':
      w.float(value.value);
      break;
    case 'boolean':
      w.boolean(value.value);
      break;
    case 'opaque':
      w.bytes(value.value);
      break;
    case 'objlnk':
      w.text(formatObjectLink(value.value));
      break;
  }
  return w.finish();
}

function decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
  let item = decodeCbor(payload, NAME);
  if (item instanceof CborTagged && item.tag === 1) item = item.value;
  let raw: RawValue;
  if (typeof item === 'number' || typeof item === 'bigint') raw = { kind: 'number', value: item };
  else if (typeof item === 'string') raw = { kind: 'string', value: item };
  else if (typeof item === 'boolean') raw = { kind: 'boolean', value: item };
  else if (item instanceof Uint8Array) raw = { kind: 'bytes', value: item };
  else
    throw new CodecError(`${NAME}: ${path} needs a single number, text, bytes or boolean`, { location: String(path) });
  return singleValueNode(typeValue(raw, path, modelTypeAt(path, lookup)), path, NAME);
}

/** application/cbor (content format 60) for single values. */
export const cborNodeCodec: NodeCodec = { contentFormat: ContentFormat.CBOR, name: NAME, encode, decode };
