/**
 * Store values <-> JSON text that round-trips exactly: bigint, Uint8Array, Date, undefined
 * (an object key whose value is undefined stays present), NaN/±Infinity and -0. Tagged values
 * are one-key objects (`{"$b": "base64"}`); a plain object's own keys starting with `$` are
 * escaped with one more `$`, so no user data can be mistaken for a tag.
 * Most stored values (registrations, observations) need no tag at all: those are checked in one
 * pass that allocates nothing and go straight through JSON.stringify / JSON.parse, which write
 * and read exactly the same text the tagging walk would.
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

const DOLLAR = 36;

/**
 * True when `toJson(value)` would be a deep copy of `value` itself, so JSON.stringify(value) is
 * already the encoding: only strings, booleans, null, finite numbers other than -0, arrays and
 * plain objects (Object.prototype or null prototype, no toJSON) without `$` keys.
 */
function needsNoTags(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!needsNoTags(value[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') return false;
      for (const key of Object.keys(record)) {
        if (key.charCodeAt(0) === DOLLAR || !needsNoTags(record[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** True when parsed JSON holds no `$` key anywhere: then `fromJson` would only copy it. */
function hasNoDollarKeys(json: Json): boolean {
  if (json === null || typeof json !== 'object') return true;
  if (Array.isArray(json)) {
    for (const item of json) if (!hasNoDollarKeys(item)) return false;
    return true;
  }
  for (const key of Object.keys(json)) {
    if (key.charCodeAt(0) === DOLLAR || !hasNoDollarKeys(json[key]!)) return false;
  }
  return true;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(needsNoTags(value) ? value : toJson(value));
}

export function decodeValue<T>(text: string): T {
  try {
    const json = JSON.parse(text) as Json;
    return (hasNoDollarKeys(json) ? json : fromJson(json)) as T;
  } catch (error) {
    if (error instanceof StoreDataError) throw error;
    throw new StoreDataError(`stored value is not valid JSON: ${(error as Error).message}`);
  }
}
