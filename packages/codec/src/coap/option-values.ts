/**
 * Option value formats (RFC 7252 §3.2): uint (minimal big-endian) and UTF-8 strings.
 * Hand-rolled ASCII fast paths: most option strings are short ASCII (Uri-Path, Uri-Query),
 * where TextEncoder/TextDecoder call overhead dominates.
 */
import { CodecError } from '../codec-error';

const EMPTY: Uint8Array = new Uint8Array(0);
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const utf8StrictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Minimal-length big-endian unsigned integer (0 -> zero bytes). Accepts 0..2^53-1. */
export function encodeUint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CodecError(`uint option value must be a non-negative safe integer, got ${value}`);
  }
  if (value === 0) return EMPTY;
  if (value < 0x100) return Uint8Array.of(value);
  if (value < 0x10000) return Uint8Array.of(value >>> 8, value & 0xff);
  if (value < 0x1000000) return Uint8Array.of(value >>> 16, (value >>> 8) & 0xff, value & 0xff);
  if (value < 0x100000000)
    return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  let n = 0;
  for (let v = value; v > 0; v = Math.floor(v / 256)) n++;
  const out = new Uint8Array(n);
  for (let i = n - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/** Big-endian unsigned integer of 0..8 bytes (leading zeros tolerated). */
export function decodeUint(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 8) throw new CodecError(`uint value too long: ${n} bytes (max 8)`);
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + bytes[i]!;
  if (!Number.isSafeInteger(v)) throw new CodecError('uint value exceeds 2^53-1');
  return v;
}

/** UTF-8 encoding of a string option value. */
export function encodeUtf8(text: string): Uint8Array {
  const n = text.length;
  if (n === 0) return EMPTY;
  if (n > 64) return utf8Encoder.encode(text);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return utf8Encoder.encode(text);
    out[i] = c;
  }
  return out;
}

/** UTF-8 decoding of a string option value. Lenient (U+FFFD for bad sequences) unless `strict`. */
export function decodeUtf8(bytes: Uint8Array, strict = false): string {
  const n = bytes.length;
  if (n === 0) return '';
  if (n <= 32) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (bytes[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  if (!strict) return utf8Decoder.decode(bytes);
  try {
    return utf8StrictDecoder.decode(bytes);
  } catch (cause) {
    throw new CodecError('invalid UTF-8 in string value', { cause });
  }
}
