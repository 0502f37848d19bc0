/**
 * Store values <-> JSON text that round-trips exactly: bigint, Uint8Array, Date, undefined
 * (an object key whose value is undefined stays present), NaN/±Infinity and -0. Tagged values
 * are one-key objects (`{"$b": "base64"}`); a plain object's own keys starting with `$` are
 * escaped with one more `$`, so no user data can be mistaken for a tag.
 */
import { StoreDataError } from './store-data-error';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A plain own key. "__proto__" (say, a client's query parameter) goes through defineProperty, so
 * it stays a plain key; every other key is an assignment (much cheaper, same property).
 */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function toJson(value: unknown): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return { $f: String(value) };
      return Object.is(value, -0) ? { $f: '-0' } : value;
    case 'bigint':
      return { $n: value.toString() };
    case 'undefined':
      return { $u: 1 };
    case 'object': {
      if (value === null) return null;
      if (value instanceof Uint8Array)
        return { $b: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64') };
      if (value instanceof Date) return { $d: value.getTime() };
      if (Array.isArray(value)) return value.map(toJson);
      if (value instanceof Map || value instanceof Set)
        throw new StoreDataError(`cannot store a ${value.constructor.name}`);
      const out: { [key: string]: Json } = {};
      for (const [key, v] of Object.entries(value)) defineKey(out, key.startsWith('$') ? `$${key}` : key, toJson(v));
      return out;
    }
    default:
      throw new StoreDataError(`cannot store a ${typeof value}`);
  }
}

function fromJson(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(fromJson);
  const keys = Object.keys(json);
  if (keys.length === 1) {
    const tag = keys[0]!;
    const v = json[tag];
    switch (tag) {
      case '$b':
        return new Uint8Array(Buffer.from(String(v), 'base64'));
      case '$n':
        return BigInt(String(v));
      case '$u':
        return undefined;
      case '$d':
        return new Date(Number(v));
      case '$f':
        return v === '-0' ? -0 : Number(v);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith('$') && !key.startsWith('$$')) throw new StoreDataError(`unknown tag "${key}" in stored value`);
    defineKey(out, key.startsWith('$') ? key.slice(1) : key, fromJson(json[key]!));
  }
  return out;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(toJson(value));
}

export function decodeValue<T>(text: string): T {
  try {
    return fromJson(JSON.parse(text) as Json) as T;
  } catch (error) {
    if (error instanceof StoreDataError) throw error;
    throw new StoreDataError(`stored value is not valid JSON: ${(error as Error).message}`);
  }
}
