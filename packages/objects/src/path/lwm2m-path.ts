import { CodecError } from '@lwm2m-ts/codec';

/** Depth of a path: 0 = root "/", 1 = object, 2 = object instance, 3 = resource, 4 = resource instance. */
export type LwM2mPathLevel = 'root' | 'object' | 'object-instance' | 'resource' | 'resource-instance';

const LEVELS: readonly LwM2mPathLevel[] = ['root', 'object', 'object-instance', 'resource', 'resource-instance'];
const MAX_ID = 65535;

function checkId(id: number, what: string): number {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new RangeError(`${what} must be an integer in 0..${MAX_ID}, got ${String(id)}`);
  }
  return id;
}

/**
 * An LwM2M path: "/", "/o", "/o/i", "/o/i/r" or "/o/i/r/ri", each id in 0..65535.
 * Immutable (readonly); compare with `equals`, use `toString()` as a map key.
 */
export class LwM2mPath {
  /** The ids from the object down, 0 to 4 of them. */
  readonly ids: readonly number[];
  private readonly text: string;

  /**
   * `ids` must already be valid and owned by the new path (callers pass a fresh array). Paths are
   * immutable by type (readonly everywhere) but not frozen: `Object.freeze` tripled the cost of
   * creating one, and decoders create one per value.
   */
  private constructor(ids: number[], text?: string) {
    this.ids = ids;
    this.text = text ?? (ids.length === 0 ? '/' : `/${ids.join('/')}`);
  }

  static readonly ROOT: LwM2mPath = new LwM2mPath([]);

  /** Builds a path from ids (object, instance, resource, resource instance), validating each. */
  static of(...ids: number[]): LwM2mPath {
    if (ids.length > 4) throw new RangeError(`an LwM2M path has at most 4 ids, got ${ids.length}`);
    const names = ['object id', 'object instance id', 'resource id', 'resource instance id'];
    for (let i = 0; i < ids.length; i++) checkId(ids[i]!, names[i]!);
    return ids.length === 0 ? LwM2mPath.ROOT : new LwM2mPath(ids.slice());
  }

  /**
   * Parses "/3/0/1" (leading slash optional, as in a CoAP Uri-Path joined with "/").
   * Throws a `CodecError` naming the bad segment: empty segment, non-decimal digits, leading
   * zeros, value above 65535, or more than 4 segments.
   */
  static parse(text: string): LwM2mPath {
    const ids = scanPath(text);
    if (ids) return ids.length === 0 ? LwM2mPath.ROOT : new LwM2mPath(ids, text.startsWith('/') ? text : undefined);
    return LwM2mPath.explainInvalid(text);
  }

  private static explainInvalid(text: string): never {
    const body = text.startsWith('/') ? text.slice(1) : text;
    const segments = body.split('/');
    if (segments.length > 4) {
      throw new CodecError(`invalid LwM2M path "${text}": more than 4 segments`, { location: 'path' });
    }
    for (const [index, segment] of segments.entries()) parseSegment(segment, index, text);
    throw new CodecError(`invalid LwM2M path "${text}"`, { location: 'path' });
  }

  /** `parse` that returns undefined instead of throwing. */
  static tryParse(text: string): LwM2mPath | undefined {
    try {
      return LwM2mPath.parse(text);
    } catch {
      return undefined;
    }
  }

  get level(): LwM2mPathLevel {
    return LEVELS[this.ids.length]!;
  }
  get objectId(): number | undefined {
    return this.ids[0];
  }
  get objectInstanceId(): number | undefined {
    return this.ids[1];
  }
  get resourceId(): number | undefined {
    return this.ids[2];
  }
  get resourceInstanceId(): number | undefined {
    return this.ids[3];
  }

  isRoot(): boolean {
    return this.ids.length === 0;
  }
  isObject(): boolean {
    return this.ids.length === 1;
  }
  isObjectInstance(): boolean {
    return this.ids.length === 2;
  }
  isResource(): boolean {
    return this.ids.length === 3;
  }
  isResourceInstance(): boolean {
    return this.ids.length === 4;
  }

  /** The path one level up; the root's parent is the root. */
  parent(): LwM2mPath {
    return this.ids.length === 0 ? this : LwM2mPath.of(...this.ids.slice(0, -1));
  }

  /** The path one level down. */
  child(id: number): LwM2mPath {
    if (this.ids.length >= 4) throw new RangeError(`an LwM2M path has at most 4 ids; ${this} has no children`);
    checkId(id, ['object id', 'object instance id', 'resource id', 'resource instance id'][this.ids.length]!);
    return new LwM2mPath([...this.ids, id], this.ids.length === 0 ? `/${id}` : `${this.text}/${id}`);
  }

  /** True if `other` is this path or below it ("/3" contains "/3/0/1"). */
  contains(other: LwM2mPath): boolean {
    if (other.ids.length < this.ids.length) return false;
    return this.ids.every((id, i) => other.ids[i] === id);
  }

  equals(other: LwM2mPath): boolean {
    return this.ids.length === other.ids.length && this.contains(other);
  }

  /** Orders by ids numerically, parents before children: /3 < /3/0 < /3/0/1 < /3/1 < /4. */
  compareTo(other: LwM2mPath): number {
    const n = Math.min(this.ids.length, other.ids.length);
    for (let i = 0; i < n; i++) {
      const d = this.ids[i]! - other.ids[i]!;
      if (d !== 0) return d;
    }
    return this.ids.length - other.ids.length;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Fast path: the ids of a well-formed path, or undefined (then `parseSegment` says why). */
function scanPath(text: string): number[] | undefined {
  const n = text.length;
  if (n === 0 || (n === 1 && text.charCodeAt(0) === 47)) return [];
  const ids: number[] = [];
  let i = text.charCodeAt(0) === 47 ? 1 : 0;
  while (true) {
    const start = i;
    let id = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 47) break;
      if (c < 48 || c > 57) return undefined;
      id = id * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 5 || id > MAX_ID || (len > 1 && text.charCodeAt(start) === 48)) return undefined;
    ids.push(id);
    if (ids.length > 4) return undefined;
    if (i === n) return ids;
    i++; // skip '/'
    if (i === n) return undefined; // trailing slash: empty segment
  }
}

function parseSegment(segment: string, index: number, text: string): number {
  const where = { location: 'path' };
  if (segment === '') {
    throw new CodecError(`invalid LwM2M path "${text}": segment ${index + 1} is empty`, where);
  }
  if (!/^[0-9]+$/.test(segment)) {
    throw new CodecError(`invalid LwM2M path "${text}": segment "${segment}" is not a decimal id`, where);
  }
  if (segment.length > 1 && segment.startsWith('0')) {
    throw new CodecError(`invalid LwM2M path "${text}": segment "${segment}" has a leading zero`, where);
  }
  const id = segment.length > 5 ? MAX_ID + 1 : Number(segment);
  if (id > MAX_ID) {
    throw new CodecError(`invalid LwM2M path "${text}": id ${segment} is out of range 0..${MAX_ID}`, where);
  }
  return id;
}
