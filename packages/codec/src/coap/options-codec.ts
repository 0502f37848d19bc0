/**
 * The option/payload section shared by every framing (RFC 7252 §3.1): delta-encoded options,
 * then 0xFF and the payload. Also the OSCORE plaintext format (RFC 8613 §5.3).
 *
 * Encoding computes the exact size in one pass and writes into one allocation. Decoding
 * returns option values and payload as subarray views of the input (no copies): a caller that
 * reuses its receive buffer must copy what it keeps.
 */
import { CodecError } from '../codec-error';
import type { CoapOption } from './message';

export const PAYLOAD_MARKER = 0xff;
export const MAX_OPTION_NUMBER = 0xffff;
/** Longest value the length encoding can express (14 + 16-bit extension). */
export const MAX_OPTION_LENGTH = 65535 + 269;

const EMPTY: Uint8Array = new Uint8Array(0);

export interface OptionsAndPayload {
  readonly options: readonly CoapOption[];
  readonly payload: Uint8Array;
}

const byNumber = (a: CoapOption, b: CoapOption): number => a.number - b.number;

/** Options in number order; the same array when already sorted, else a stable-sorted copy. */
export function sortOptions(options: readonly CoapOption[]): readonly CoapOption[] {
  for (let i = 1; i < options.length; i++) {
    if (options[i]!.number < options[i - 1]!.number) return [...options].sort(byNumber);
  }
  return options;
}

const extSize = (n: number): number => (n < 13 ? 0 : n < 269 ? 1 : 2);

/** Exact encoded size of the options (sorted) and payload, validating numbers and lengths. */
export function optionsAndPayloadSize(sorted: readonly CoapOption[], payload: Uint8Array): number {
  let size = payload.length > 0 ? payload.length + 1 : 0;
  let prev = 0;
  for (let i = 0; i < sorted.length; i++) {
    const opt = sorted[i]!;
    const num = opt.number;
    if (!Number.isInteger(num) || num < 0 || num > MAX_OPTION_NUMBER) {
      throw new CodecError(`option number out of range: ${num}`, { location: `option ${num}` });
    }
    const len = opt.value.length;
    if (len > MAX_OPTION_LENGTH) {
      throw new CodecError(`option value too long: ${len} bytes`, { location: `option ${num}` });
    }
    size += 1 + extSize(num - prev) + extSize(len) + len;
    prev = num;
  }
  return size;
}

/** Writes sorted options and payload at `offset`; returns the offset after the last byte. */
export function writeOptionsAndPayload(
  out: Uint8Array,
  offset: number,
  sorted: readonly CoapOption[],
  payload: Uint8Array,
): number {
  let i = offset;
  let prev = 0;
  for (let k = 0; k < sorted.length; k++) {
    const opt = sorted[k]!;
    const value = opt.value;
    const delta = opt.number - prev;
    const len = value.length;
    prev = opt.number;
    const h = i++;
    let nibbles: number;
    if (delta < 13) nibbles = delta << 4;
    else if (delta < 269) {
      nibbles = 0xd0;
      out[i++] = delta - 13;
    } else {
      nibbles = 0xe0;
      const d = delta - 269;
      out[i++] = d >>> 8;
      out[i++] = d & 0xff;
    }
    if (len < 13) nibbles |= len;
    else if (len < 269) {
      nibbles |= 0x0d;
      out[i++] = len - 13;
    } else {
      nibbles |= 0x0e;
      const l = len - 269;
      out[i++] = l >>> 8;
      out[i++] = l & 0xff;
    }
    out[h] = nibbles;
    if (len === 1) out[i++] = value[0]!;
    else if (len > 0) {
      out.set(value, i);
      i += len;
    }
  }
  if (payload.length > 0) {
    out[i++] = PAYLOAD_MARKER;
    out.set(payload, i);
    i += payload.length;
  }
  return i;
}

/** The option/payload section on its own (e.g. OSCORE plaintext). Options are sorted (stable). */
export function encodeOptionsAndPayload(options: readonly CoapOption[], payload: Uint8Array = EMPTY): Uint8Array {
  const sorted = sortOptions(options);
  const out = new Uint8Array(optionsAndPayloadSize(sorted, payload));
  writeOptionsAndPayload(out, 0, sorted, payload);
  return out;
}

/**
 * Decodes options and payload from `offset` to `end` (default: end of `bytes`).
 * Values and payload are views into `bytes`. Offsets in errors are absolute in `bytes`.
 */
export function decodeOptionsAndPayload(bytes: Uint8Array, offset = 0, end = bytes.length): OptionsAndPayload {
  const options: CoapOption[] = [];
  let payload: Uint8Array = EMPTY;
  let i = offset;
  let num = 0;
  while (i < end) {
    const start = i;
    const b = bytes[i++]!;
    if (b === PAYLOAD_MARKER) {
      if (i >= end) throw new CodecError('payload marker followed by zero-length payload', { offset: start });
      payload = bytes.subarray(i, end);
      break;
    }
    let delta = b >>> 4;
    let len = b & 0x0f;
    if (delta >= 13) {
      if (delta === 13) {
        if (i >= end) throw new CodecError('truncated option delta', { offset: start });
        delta = bytes[i++]! + 13;
      } else if (delta === 14) {
        if (i + 2 > end) throw new CodecError('truncated option delta', { offset: start });
        delta = ((bytes[i]! << 8) | bytes[i + 1]!) + 269;
        i += 2;
      } else {
        throw new CodecError('reserved option delta 15', { offset: start });
      }
    }
    if (len >= 13) {
      if (len === 13) {
        if (i >= end) throw new CodecError('truncated option length', { offset: start });
        len = bytes[i++]! + 13;
      } else if (len === 14) {
        if (i + 2 > end) throw new CodecError('truncated option length', { offset: start });
        len = ((bytes[i]! << 8) | bytes[i + 1]!) + 269;
        i += 2;
      } else {
        throw new CodecError('reserved option length 15', { offset: start });
      }
    }
    num += delta;
    if (num > MAX_OPTION_NUMBER) throw new CodecError(`option number ${num} exceeds 65535`, { offset: start });
    if (i + len > end) {
      throw new CodecError(`option value runs past the end (${len} bytes)`, {
        offset: start,
        location: `option ${num}`,
      });
    }
    options.push({ number: num, value: len === 0 ? EMPTY : bytes.subarray(i, i + len) });
    i += len;
  }
  return { options, payload };
}
