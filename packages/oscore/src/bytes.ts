/** Small byte helpers used across the package (hex for configuration and tests, compare, concat). */

const EMPTY = new Uint8Array(0);
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Decodes a hex string (optionally `0x`-prefixed, whitespace ignored). Throws a TypeError naming `what` on bad input. */
export function hexToBytes(hex: string, what = 'hex string'): Uint8Array {
  const clean = hex.replace(/\s+/g, '').replace(/^0x/i, '');
  if (!HEX_RE.test(clean)) {
    throw new TypeError(`${what} must be an even-length hex string (e.g. "0a1b"), got "${hex}"`);
  }
  if (clean.length === 0) return EMPTY;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * A Map key for a short byte string (kid, ID Context): one char per byte. Cheaper than hex on the
 * per-message lookup path; never shown to a user.
 */
export function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A plain Uint8Array view of a Node Buffer (so results compare equal to Uint8Array values). */
export const toUint8Array = (b: Uint8Array): Uint8Array =>
  b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
