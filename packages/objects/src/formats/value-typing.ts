import { CodecError, decodeBase64Url } from '@lwm2m-ts/codec';
import type { ResourceModelLookup, ResourceType } from '../model/types';
import { LwM2mValue, parseObjectLink } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';

/** A value as a payload carries it, before the resource model gives it an LwM2M type. */
export type RawValue =
  | { readonly kind: 'number'; readonly value: number | bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'objlnk'; readonly value: string };

const NO_MODELS: ResourceModelLookup = () => undefined;

/** The model type of the resource at `path` (resource or resource instance level), if known. */
export function modelTypeAt(path: LwM2mPath, lookup: ResourceModelLookup = NO_MODELS): ResourceType | undefined {
  // Indexed reads, not `[o, , r] = ids`: destructuring runs the iterator protocol on every decode.
  const ids = path.ids;
  const objectId = ids[0];
  const resourceId = ids[2];
  if (objectId === undefined || resourceId === undefined) return undefined;
  const type = lookup(objectId, resourceId)?.type;
  return type === 'none' ? undefined : type;
}

/** True if the model says the resource at `path` is multiple-instance; undefined if unknown. */
export function modelMultipleAt(path: LwM2mPath, lookup: ResourceModelLookup = NO_MODELS): boolean | undefined {
  const ids = path.ids;
  const objectId = ids[0];
  const resourceId = ids[2];
  if (objectId === undefined || resourceId === undefined) return undefined;
  return lookup(objectId, resourceId)?.multiple;
}

function mismatch(path: LwM2mPath, expected: ResourceType, raw: RawValue): never {
  throw new CodecError(`resource ${path} expects ${expected}, got a ${raw.kind} value`, { location: String(path) });
}

function integral(raw: RawValue, path: LwM2mPath, expected: ResourceType): number | bigint {
  if (raw.kind !== 'number') return mismatch(path, expected, raw);
  const v = raw.value;
  if (typeof v === 'bigint' || Number.isInteger(v)) return v;
  throw new CodecError(`resource ${path} expects ${expected}, got ${v}`, { location: String(path) });
}

/**
 * Gives a raw value its LwM2M type: the model's when known (rejecting values that do not fit it),
 * otherwise the payload's own (numbers: integer when integral, else float; objlnk text stays objlnk).
 */
export function typeValue(raw: RawValue, path: LwM2mPath, type: ResourceType | undefined): LwM2mValue {
  const location = String(path);
  try {
    switch (type) {
      case undefined:
      case 'none':
        switch (raw.kind) {
          case 'number':
            return typeof raw.value === 'bigint' || Number.isInteger(raw.value)
              ? LwM2mValue.integer(raw.value)
              : LwM2mValue.float(raw.value);
          case 'string':
            return LwM2mValue.string(raw.value);
          case 'boolean':
            return LwM2mValue.boolean(raw.value);
          case 'bytes':
            return LwM2mValue.opaque(raw.value);
          case 'objlnk':
            return objlnk(raw.value, path);
        }
        break;
      case 'integer':
        return LwM2mValue.integer(integral(raw, path, type));
      case 'unsigned':
        return LwM2mValue.unsigned(integral(raw, path, type));
      case 'time': {
        const v = integral(raw, path, type);
        if (typeof v === 'bigint') throw new RangeError(`time ${v} is out of range`);
        return LwM2mValue.time(v);
      }
      case 'float':
        if (raw.kind !== 'number') return mismatch(path, type, raw);
        return LwM2mValue.float(Number(raw.value));
      case 'boolean':
        if (raw.kind !== 'boolean') return mismatch(path, type, raw);
        return LwM2mValue.boolean(raw.value);
      case 'string':
      case 'corelnk':
        if (raw.kind !== 'string') return mismatch(path, type, raw);
        return type === 'string' ? LwM2mValue.string(raw.value) : LwM2mValue.corelnk(raw.value);
      case 'opaque':
        if (raw.kind === 'bytes') return LwM2mValue.opaque(raw.value);
        if (raw.kind === 'string') return LwM2mValue.opaque(decodeBase64Url(raw.value, location));
        return mismatch(path, type, raw);
      case 'objlnk':
        if (raw.kind !== 'objlnk' && raw.kind !== 'string') return mismatch(path, type, raw);
        return objlnk(raw.value, path);
    }
  } catch (e) {
    if (CodecError.isInstance(e)) throw e;
    throw new CodecError(`resource ${path}: ${(e as Error).message}`, { location, cause: e });
  }
  throw new CodecError(`resource ${path} has unsupported type ${String(type)}`, { location });
}

function objlnk(text: string, path: LwM2mPath): LwM2mValue {
  const link = parseObjectLink(text);
  if (!link) {
    throw new CodecError(`resource ${path}: "${text}" is not an objlnk (objectId:instanceId)`, {
      location: String(path),
    });
  }
  return LwM2mValue.objlnk(link.objectId, link.instanceId);
}
