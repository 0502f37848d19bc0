import { CodecError } from '../codec-error';
import { decodeUtf8Text } from './utf8-text';

/**
 * A small strict CBOR reader (RFC 8949) for SenML-CBOR and LwM2M CBOR. It keeps map keys as
 * written (integers stay integers, arrays may be keys, as LwM2M CBOR needs), returns 64-bit
 * integers as bigint, and reports the byte offset of anything malformed in a `CodecError`.
 */

/** A decoded CBOR map: entries in wire order, keys not coerced. */
export class CborMap {
  constructor(readonly entries: Array<[CborValue, CborValue]>) {}
}

/** A tagged item the caller must interpret (or reject). */
export class CborTagged {
  constructor(
    readonly tag: number | bigint,
    readonly value: CborValue,
  ) {}
}

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | CborMap
  | CborTagged;

const MAX_DEPTH = 32;
const BREAK = Symbol('break');

export class CborReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what = 'CBOR',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  fail(message: string, offset = this.pos): never {
    throw new CodecError(`${this.what}: ${message}`, { offset });
  }

  /** Reads one complete data item. */
  read(): CborValue {
    const v = this.item(0);
    if (v === BREAK) this.fail('unexpected break', this.pos - 1);
    return v;
  }

  /**
   * Starts a container of the given major type (4 array, 5 map) and returns its length, or -1
   * when it is indefinite-length (then call `atBreak` before each item). Lets decoders of known
   * shapes stream without building intermediate values.
   */
  containerStart(major: 4 | 5, what: string): number {
    const start = this.pos;
    this.need(1, start);
    const initial = this.bytes[this.pos]!;
    if (initial >> 5 !== major) this.fail(`expected ${what}`, start);
    this.pos++;
    const info = initial & 0x1f;
    if (info === 31) return -1;
    return this.length(info, start, major === 5 ? 2 : 1);
  }

  /** True (and consumes it) if the next byte is a break (0xff) ending an indefinite container. */
  atBreak(): boolean {
    this.need(1, this.pos);
    if (this.bytes[this.pos] !== 0xff) return false;
    this.pos++;
    return true;
  }

  /** Reads exactly one item and rejects trailing bytes. */
  readAll(): CborValue {
    if (this.bytes.length === 0) this.fail('empty payload', 0);
    const v = this.read();
    if (!this.done) this.fail(`${this.bytes.length - this.pos} trailing bytes after the data item`);
    return v;
  }

  private need(n: number, start: number): void {
    if (this.pos + n > this.bytes.length) this.fail('truncated data item', start);
  }

  private argument(info: number, start: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.need(1, start);
        return this.bytes[this.pos++]!;
      case 25: {
        this.need(2, start);
        const v = this.view.getUint16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4, start);
        const v = this.view.getUint32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8, start);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      default:
        return this.fail(`reserved additional information ${info}`, start);
    }
  }

  /** A length argument that must fit in the remaining bytes (bounds memory on hostile input). */
  private length(info: number, start: number, minItemSize: number): number {
    const n = this.argument(info, start);
    if (typeof n === 'bigint' || n * minItemSize > this.bytes.length - this.pos) {
      this.fail(`length ${n} exceeds the ${this.bytes.length - this.pos} bytes left`, start);
    }
    return n;
  }

  private item(depth: number): CborValue | typeof BREAK {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const start = this.pos;
    this.need(1, start);
    const initial = this.bytes[this.pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info, start);
      case 1: {
        const n = this.argument(info, start);
        return typeof n === 'bigint' ? -1n - n : n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
      }
      case 2:
      case 3: {
        if (info === 31) return this.indefiniteString(major, depth, start);
        const n = this.length(info, start, 1);
        const chunk = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return major === 2 ? chunk.slice() : this.utf8(chunk, start);
      }
      case 4: {
        const out: CborValue[] = [];
        if (info === 31) {
          for (;;) {
            const v = this.item(depth + 1);
            if (v === BREAK) return out;
            out.push(v);
          }
        }
        const n = this.length(info, start, 1);
        for (let i = 0; i < n; i++) out.push(this.child(depth));
        return out;
      }
      case 5: {
        const entries: Array<[CborValue, CborValue]> = [];
        if (info === 31) {
          for (;;) {
            const k = this.item(depth + 1);
            if (k === BREAK) return new CborMap(entries);
            entries.push([k, this.child(depth)]);
          }
        }
        const n = this.length(info, start, 2);
        for (let i = 0; i < n; i++) entries.push([this.child(depth), this.child(depth)]);
        return new CborMap(entries);
      }
      case 6: {
        const tag = this.argument(info, start);
        return new CborTagged(tag, this.child(depth));
      }
      default:
        return this.simple(info, start);
    }
  }

  private child(depth: number): CborValue {
    const v = this.item(depth + 1);
    if (v === BREAK) this.fail('unexpected break', this.pos - 1);
    return v;
  }

  private utf8(chunk: Uint8Array, start: number): string {
    return decodeUtf8Text(chunk) ?? this.fail('text string is not valid UTF-8', start);
  }

  private indefiniteString(major: number, depth: number, start: number): Uint8Array | string {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const chunkStart = this.pos;
      const v = this.item(depth + 1);
      if (v === BREAK) break;
      const ok = major === 2 ? v instanceof Uint8Array : typeof v === 'string';
      if (!ok) this.fail('indefinite-length string holds a chunk of another type', chunkStart);
      chunks.push(typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array));
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    return major === 2 ? joined : this.utf8(joined, start);
  }

  private simple(info: number, start: number): CborValue | typeof BREAK {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        this.need(2, start);
        const v = halfToNumber(this.view.getUint16(this.pos));
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4, start);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8, start);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 31:
        return BREAK;
      default:
        return this.fail(`unsupported simple value (additional information ${info})`, start);
    }
  }
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Decodes one CBOR data item from `bytes`, rejecting trailing bytes. */
export function decodeCbor(bytes: Uint8Array, what = 'CBOR'): CborValue {
  return new CborReader(bytes, what).readAll();
}
