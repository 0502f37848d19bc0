/**
 * Plain JavaScript values -> typed LwM2M values, using the resource model, so users can write
 * `{ 0: 'Acme', 9: 100 }` instead of building `LwM2mValue`s by hand.
 */
import { LwM2mValue, type ObjectLink, type ResourceModel } from '@lwm2m-ts/objects';
import type { ResourceContent } from './instance-enabler';

/** A value as a user may give it. */
export type PlainValue = string | number | bigint | boolean | Uint8Array | Date | ObjectLink | LwM2mValue;
/** A resource as a user may give it: a value, or for a multiple resource an array / id->value map. */
export type PlainContent = PlainValue | readonly PlainValue[] | ReadonlyMap<number, PlainValue>;

const isTyped = (v: unknown): v is LwM2mValue =>
  typeof v === 'object' && v !== null && 'type' in v && 'value' in v && Object.isFrozen(v);

/** Types one plain value as the model's type; throws TypeError/RangeError when it cannot. */
export function toValue(model: ResourceModel, plain: PlainValue): LwM2mValue {
  if (isTyped(plain)) return plain;
  switch (model.type) {
    case 'string':
      return LwM2mValue.string(String(plain));
    case 'corelnk':
      return LwM2mValue.corelnk(String(plain));
    case 'integer':
      return LwM2mValue.integer(numeric(model, plain, true));
    case 'unsigned':
      return LwM2mValue.unsigned(numeric(model, plain, true));
    case 'float':
      return LwM2mValue.float(Number(numeric(model, plain, false)));
    case 'boolean':
      if (typeof plain !== 'boolean') throw new TypeError(`resource ${model.id} (${model.name}) expects a boolean`);
      return LwM2mValue.boolean(plain);
    case 'opaque':
      return LwM2mValue.opaque(typeof plain === 'string' ? new TextEncoder().encode(plain) : (plain as Uint8Array));
    case 'time':
      return LwM2mValue.time(plain as number | Date);
    case 'objlnk': {
      const link = plain as ObjectLink;
      return LwM2mValue.objlnk(link.objectId, link.instanceId);
    }
    case 'none':
      throw new TypeError(`resource ${model.id} (${model.name}) is executable and holds no value`);
  }
}

/** A number (or bigint) from a number, bigint or numeric text; anything else is a TypeError. */
function numeric(model: ResourceModel, plain: PlainValue, integral: boolean): number | bigint {
  if (typeof plain === 'number' || typeof plain === 'bigint') return plain;
  if (typeof plain === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain.trim())) {
    const text = plain.trim();
    return integral && /^[+-]?\d+$/.test(text) ? BigInt(text) : Number(text);
  }
  throw new TypeError(`resource ${model.id} (${model.name}) expects a number, got ${String(plain)}`);
}

/** Types a whole resource: a Map for multiple resources (arrays are numbered from 0). */
export function toContent(model: ResourceModel, plain: PlainContent): ResourceContent {
  if (!model.multiple) {
    if (Array.isArray(plain) || plain instanceof Map)
      throw new TypeError(`resource ${model.id} (${model.name}) is single-instance`);
    return toValue(model, plain as PlainValue);
  }
  const entries: [number, PlainValue][] =
    plain instanceof Map
      ? [...(plain as ReadonlyMap<number, PlainValue>)]
      : Array.isArray(plain)
        ? (plain as readonly PlainValue[]).map((v, i) => [i, v])
        : [[0, plain as PlainValue]];
  return new Map(entries.sort((a, b) => a[0] - b[0]).map(([id, v]) => [id, toValue(model, v)]));
}

/** The JavaScript value carried by a typed value (what `SimpleInstance.get` returns). */
export type PlainOf = LwM2mValue['value'];
