import { CodecError, ContentFormat, decodeBase64Url } from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink, LwM2mValue, parseObjectLink } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';
import type { NodeCodec } from './node-codec';
import { singleValueNode, singleValueOf } from './single-value';
import { modelTypeAt } from './value-typing';

const NAME = 'text/plain';
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A short all-ASCII payload (a typical sensor value, "21.50") as a string without a TextDecoder
 * call, which costs more than the decoding itself for a few bytes; undefined otherwise.
 */
function shortAscii(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n > 32) return undefined;
  for (let i = 0; i < n; i++) if (bytes[i]! > 0x7f) return undefined;
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Text for a value (OMA LwM2M TS Core appendix C): booleans "0"/"1", objlnk "o:i", opaque base64. */
export function formatTextValue(value: LwM2mValue): string {
  switch (value.type) {
    case 'boolean':
      return value.value ? '1' : '0';
    case 'objlnk':
      return formatObjectLink(value.value);
    case 'opaque':
      return base64(value.value);
    case 'float':
      if (!Number.isFinite(value.value))
        throw new CodecError(`${NAME} cannot carry ${value.value}`, { responseCode: 0x86 });
      return String(value.value);
    default:
      return String(value.value);
  }
}

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses text as the given type (strings when the model is unknown). */
export function parseTextValue(text: string, type: ReturnType<typeof modelTypeAt>, path: LwM2mPath): LwM2mValue {
  const location = String(path);
  const bad = (what: string): never => {
    throw new CodecError(`${NAME}: "${text.slice(0, 40)}" is not ${what} for ${path}`, { location });
  };
  try {
    switch (type) {
      case undefined:
      case 'none':
      case 'string':
        return LwM2mValue.string(text);
      case 'corelnk':
        return LwM2mValue.corelnk(text);
      case 'integer':
      case 'unsigned':
      case 'time': {
        if (!INTEGER.test(text)) return bad(`an ${type}`);
        const big = BigInt(text);
        if (type === 'time') {
          if (big < BigInt(Number.MIN_SAFE_INTEGER) || big > BigInt(Number.MAX_SAFE_INTEGER)) return bad('a time');
          return LwM2mValue.time(Number(big));
        }
        return type === 'integer' ? LwM2mValue.integer(big) : LwM2mValue.unsigned(big);
      }
      case 'float':
        if (!FLOAT.test(text)) return bad('a float');
        return LwM2mValue.float(Number(text));
      case 'boolean':
        if (text !== '0' && text !== '1') return bad('a boolean (0 or 1)');
        return LwM2mValue.boolean(text === '1');
      case 'objlnk': {
        const link = parseObjectLink(text);
        if (!link) return bad('an objlnk (objectId:instanceId)');
        return LwM2mValue.objlnk(link.objectId, link.instanceId);
      }
      case 'opaque':
        return LwM2mValue.opaque(decodeBase64Url(text, location));
    }
  } catch (e) {
    if (CodecError.isInstance(e)) throw e;
    return bad(`a valid ${type} (${(e as Error).message})`);
  }
}

/** text/plain (content format 0): one value as UTF-8 text. */
export const textNodeCodec: NodeCodec = {
  contentFormat: ContentFormat.TEXT_PLAIN,
  name: NAME,
  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    return utf8Encoder.encode(formatTextValue(singleValueOf(node, path, NAME)));
  },
  decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
    let text: string | undefined = shortAscii(payload);
    try {
      text ??= utf8Decoder.decode(payload);
    } catch {
      throw new CodecError(`${NAME}: payload is not valid UTF-8`, { location: String(path) });
    }
    return singleValueNode(parseTextValue(text, modelTypeAt(path, lookup), path), path, NAME);
  },
};
