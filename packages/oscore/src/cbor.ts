/**
 * The few CBOR items OSCORE needs (RFC 8949 §3 preferred serialization): uint, negative int,
 * bstr, tstr, nil and definite-length arrays. OSCORE only ever *encodes* three fixed structures
 * (HKDF info, aad_array, Enc_structure), so a 40-line deterministic encoder is simpler and more
 * obviously byte-exact than configuring a general CBOR library for canonical output.
 */
import { concatBytes } from './bytes';

export type CborItem = number | Uint8Array | string | null | readonly CborItem[];

const utf8 = new TextEncoder();

function head(major: number, value: number): Uint8Array {
  const m = major << 5;
  if (value < 24) return Uint8Array.of(m | value);
  if (value < 0x100) return Uint8Array.of(m | 24, value);
  if (value < 0x10000) return Uint8Array.of(m | 25, value >>> 8, value & 0xff);
  if (value <= 0xffffffff) {
    return Uint8Array.of(m | 26, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  throw new RangeError(`CBOR value ${value} is larger than this encoder supports (2^32-1)`);
}

function encodeInto(item: CborItem, out: Uint8Array[]): void {
  if (item === null) out.push(Uint8Array.of(0xf6));
  else if (typeof item === 'number') {
    if (!Number.isInteger(item)) throw new RangeError(`CBOR: only integers are supported, got ${item}`);
    out.push(item >= 0 ? head(0, item) : head(1, -1 - item));
  } else if (typeof item === 'string') {
    const b = utf8.encode(item);
    out.push(head(3, b.length), b);
  } else if (item instanceof Uint8Array) {
    out.push(head(2, item.length), item);
  } else {
    out.push(head(4, item.length));
    for (const x of item) encodeInto(x, out);
  }
}

export function encodeCbor(item: CborItem): Uint8Array {
  const parts: Uint8Array[] = [];
  encodeInto(item, parts);
  return concatBytes(parts);
}
