import { CodecError } from '../codec-error';
import { decodeUtf8Text } from './utf8-text';

/**
 * Value encodings inside TLV entries (OMA LwM2M TS Core 1.x, appendix C): big-endian two's
 * complement integers of 1, 2, 4 or 8 bytes; unsigned integers of 1, 2, 4 or 8 bytes; IEEE 754
 * floats of 4 or 8 bytes; booleans as one byte 0/1; time as a signed integer of seconds;
 * Objlnk as two 16-bit ids. Encoders pick the smallest width that holds the value exactly.
 */

const INT_WIDTHS = [1, 2, 4, 8] as const;

function widthError(what: string, length: number): never {
  throw new CodecError(`TLV ${what} must be 1, 2, 4 or 8 bytes, got ${length}`);
}

export function encodeTlvInteger(value: number | bigint): Uint8Array {
  const v = BigInt(value);
  if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new CodecError(`integer ${v} does not fit in 64 bits`);
  const width =
    v >= -128n && v < 128n ? 1 : v >= -32768n && v < 32768n ? 2 : v >= -(2n ** 31n) && v < 2n ** 31n ? 4 : 8;
  const out = new Uint8Array(width);
  const view = new DataView(out.buffer);
  if (width === 1) view.setInt8(0, Number(v));
  else if (width === 2) view.setInt16(0, Number(v));
  else if (width === 4) view.setInt32(0, Number(v));
  else view.setBigInt64(0, v);
  return out;
}

/** Signed integer; a number when safe, else a bigint. */
export function decodeTlvInteger(bytes: Uint8Array): number | bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes.length) {
    case 1:
      return view.getInt8(0);
    case 2:
      return view.getInt16(0);
    case 4:
      return view.getInt32(0);
    case 8: {
      const v = view.getBigInt64(0);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    default:
      return widthError('integer', bytes.length);
  }
}

export function encodeTlvUnsigned(value: number | bigint): Uint8Array {
  const v = BigInt(value);
  if (v < 0n || v >= 2n ** 64n) throw new CodecError(`unsigned ${v} does not fit in 64 bits`);
  const width = INT_WIDTHS.find((w) => v < 2n ** BigInt(8 * w))!;
  const out = new Uint8Array(width);
  const view = new DataView(out.buffer);
  if (width === 8) view.setBigUint64(0, v);
  else for (let i = 0; i < width; i++) out[i] = Number((v >> BigInt(8 * (width - 1 - i))) & 0xffn);
  return out;
}

/** Unsigned integer; a number when safe, else a bigint. */
export function decodeTlvUnsigned(bytes: Uint8Array): number | bigint {
  if (!(INT_WIDTHS as readonly number[]).includes(bytes.length)) widthError('unsigned integer', bytes.length);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** 4 bytes when a float32 holds the value exactly, else 8. */
export function encodeTlvFloat(value: number): Uint8Array {
  const single = Math.fround(value);
  const exact = single === value || (Number.isNaN(value) && Number.isNaN(single));
  const out = new Uint8Array(exact ? 4 : 8);
  const view = new DataView(out.buffer);
  if (exact) view.setFloat32(0, value);
  else view.setFloat64(0, value);
  return out;
}

export function decodeTlvFloat(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 4) return view.getFloat32(0);
  if (bytes.length === 8) return view.getFloat64(0);
  throw new CodecError(`TLV float must be 4 or 8 bytes, got ${bytes.length}`);
}

export function encodeTlvBoolean(value: boolean): Uint8Array {
  return Uint8Array.of(value ? 1 : 0);
}

export function decodeTlvBoolean(bytes: Uint8Array): boolean {
  if (bytes.length !== 1 || bytes[0]! > 1) {
    throw new CodecError(`TLV boolean must be one byte 0 or 1, got ${bytes.length} byte(s)`);
  }
  return bytes[0] === 1;
}

/** Time: seconds since the epoch as a signed integer. */
export function encodeTlvTime(seconds: number): Uint8Array {
  return encodeTlvInteger(seconds);
}

export function decodeTlvTime(bytes: Uint8Array): number {
  const v = decodeTlvInteger(bytes);
  if (typeof v === 'bigint') throw new CodecError(`TLV time ${v} is out of range`);
  return v;
}

export function encodeTlvObjlnk(objectId: number, instanceId: number): Uint8Array {
  const out = new Uint8Array(4);
  const view = new DataView(out.buffer);
  view.setUint16(0, objectId);
  view.setUint16(2, instanceId);
  return out;
}

export function decodeTlvObjlnk(bytes: Uint8Array): { objectId: number; instanceId: number } {
  if (bytes.length !== 4) throw new CodecError(`TLV objlnk must be 4 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { objectId: view.getUint16(0), instanceId: view.getUint16(2) };
}

const utf8Encoder = new TextEncoder();

export function encodeTlvString(value: string): Uint8Array {
  return utf8Encoder.encode(value);
}

export function decodeTlvString(bytes: Uint8Array): string {
  const text = decodeUtf8Text(bytes);
  if (text === undefined) throw new CodecError('TLV string is not valid UTF-8');
  return text;
}
