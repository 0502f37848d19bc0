import type { ResourceType } from '../model/types';

/** The value types a resource can hold (every `ResourceType` except 'none'). */
export type LwM2mValueType = Exclude<ResourceType, 'none'>;

/** An Objlnk value: a reference to object instance /objectId/instanceId (65535:65535 means "none"). */
export interface ObjectLink {
  readonly objectId: number;
  readonly instanceId: number;
}

/**
 * A typed resource value. Immutable (frozen); opaque bytes are shared, do not mutate them.
 * - integer: signed 64-bit; a `number` when it is a safe integer, a `bigint` beyond 2^53.
 * - unsigned: 0..2^64-1 with the same number/bigint rule.
 * - time: seconds since the Unix epoch (LwM2M's unit), an integer.
 * - corelnk: the CoRE Link Format text, kept as text.
 */
export type LwM2mValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'integer'; readonly value: number | bigint }
  | { readonly type: 'unsigned'; readonly value: number | bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'opaque'; readonly value: Uint8Array }
  | { readonly type: 'time'; readonly value: number }
  | { readonly type: 'objlnk'; readonly value: ObjectLink }
  | { readonly type: 'corelnk'; readonly value: string };

/** The JavaScript value carried by a value of type T. */
export type LwM2mValueOf<T extends LwM2mValueType> = Extract<LwM2mValue, { type: T }>['value'];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Canonical integer representation: a number when safe, else a bigint. */
function canonicalInteger(v: number | bigint, min: bigint, max: bigint, what: string): number | bigint {
  let big: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`${what} value must be an integer, got ${v}`);
    if (Number.isSafeInteger(v)) {
      if (BigInt(v) < min) throw new RangeError(`${what} value ${v} is out of range`);
      return v;
    }
    big = BigInt(v);
  } else {
    big = v;
  }
  if (big < min || big > max) throw new RangeError(`${what} value ${big} is out of range ${min}..${max}`);
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

function checkLinkId(id: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id > 65535)
    throw new RangeError(`objlnk ${what} must be in 0..65535, got ${id}`);
}

/** Factories for `LwM2mValue`. They validate ranges and throw RangeError/TypeError on misuse. */
export const LwM2mValue = {
  string(value: string): LwM2mValue {
    return Object.freeze({ type: 'string', value: String(value) });
  },
  integer(value: number | bigint): LwM2mValue {
    return Object.freeze({ type: 'integer', value: canonicalInteger(value, INT64_MIN, INT64_MAX, 'integer') });
  },
  unsigned(value: number | bigint): LwM2mValue {
    return Object.freeze({ type: 'unsigned', value: canonicalInteger(value, 0n, UINT64_MAX, 'unsigned') });
  },
  float(value: number): LwM2mValue {
    if (typeof value !== 'number') throw new TypeError('float value must be a number');
    return Object.freeze({ type: 'float', value });
  },
  boolean(value: boolean): LwM2mValue {
    return Object.freeze({ type: 'boolean', value: Boolean(value) });
  },
  opaque(value: Uint8Array): LwM2mValue {
    if (!(value instanceof Uint8Array)) throw new TypeError('opaque value must be a Uint8Array');
    return Object.freeze({ type: 'opaque', value });
  },
  /** Seconds since the epoch, or a Date (truncated to whole seconds). */
  time(value: number | Date): LwM2mValue {
    const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
    if (!Number.isSafeInteger(seconds)) throw new RangeError(`time value must be whole seconds, got ${String(value)}`);
    return Object.freeze({ type: 'time', value: seconds });
  },
  objlnk(objectId: number, instanceId: number): LwM2mValue {
    checkLinkId(objectId, 'object id');
    checkLinkId(instanceId, 'instance id');
    return Object.freeze({ type: 'objlnk', value: Object.freeze({ objectId, instanceId }) });
  },
  corelnk(value: string): LwM2mValue {
    return Object.freeze({ type: 'corelnk', value: String(value) });
  },
  /** Builds a value of a type known only at run time (e.g. from a `ResourceModel`). */
  of<T extends LwM2mValueType>(type: T, value: LwM2mValueOf<T>): LwM2mValue {
    switch (type) {
      case 'objlnk': {
        const link = value as ObjectLink;
        return LwM2mValue.objlnk(link.objectId, link.instanceId);
      }
      case 'string':
        return LwM2mValue.string(value as string);
      case 'integer':
        return LwM2mValue.integer(value as number | bigint);
      case 'unsigned':
        return LwM2mValue.unsigned(value as number | bigint);
      case 'float':
        return LwM2mValue.float(value as number);
      case 'boolean':
        return LwM2mValue.boolean(value as boolean);
      case 'opaque':
        return LwM2mValue.opaque(value as Uint8Array);
      case 'time':
        return LwM2mValue.time(value as number);
      case 'corelnk':
        return LwM2mValue.corelnk(value as string);
      default:
        throw new TypeError(`unknown value type ${String(type)}`);
    }
  },
  /** Seconds-since-epoch `time` value as a Date. */
  toDate(value: Extract<LwM2mValue, { type: 'time' }>): Date {
    return new Date(value.value * 1000);
  },
  /** Structural equality (bytes compared by content, -0 equal to 0, NaN equal to NaN). */
  equals(a: LwM2mValue, b: LwM2mValue): boolean {
    if (a.type !== b.type) return false;
    switch (a.type) {
      case 'opaque': {
        const x = a.value;
        const y = b.value as Uint8Array;
        return x.length === y.length && x.every((byte, i) => byte === y[i]);
      }
      case 'objlnk': {
        const y = b.value as ObjectLink;
        return a.value.objectId === y.objectId && a.value.instanceId === y.instanceId;
      }
      case 'float':
        return a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value as number));
      default:
        return a.value === b.value;
    }
  },
} as const;

/** Formats an objlnk as LwM2M text ("3:0"). */
export function formatObjectLink(link: ObjectLink): string {
  return `${link.objectId}:${link.instanceId}`;
}

/** Parses "3:0"; returns undefined if malformed or out of range. */
export function parseObjectLink(text: string): ObjectLink | undefined {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const objectId = Number(m[1]);
  const instanceId = Number(m[2]);
  if (objectId > 65535 || instanceId > 65535) return undefined;
  return { objectId, instanceId };
}
