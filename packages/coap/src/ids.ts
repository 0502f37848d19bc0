/** Random numbers and id generators, injected per endpoint (no module-level state). */

/** Uniform in [0, 1), like Math.random. */
export type Random = () => number;

/** Makes the token for a new request. Tokens must be unique among this endpoint's open exchanges. */
export type TokenGenerator = () => Uint8Array;

/** Next 16-bit message id. */
export type MessageIdGenerator = () => number;

const POOL_SIZE = 4096;

/**
 * Random tokens (RFC 7252 §5.3.1: unguessable for off-path protection). Uses the injected
 * random if given (tests), else the platform CSPRNG through a refilled byte pool.
 */
export function createTokenGenerator(length = 4, random?: Random): TokenGenerator {
  if (length < 1 || length > 8) throw new RangeError(`token length must be 1..8, got ${length}`);
  if (random) {
    return () => {
      const t = new Uint8Array(length);
      for (let i = 0; i < length; i++) t[i] = Math.floor(random() * 256) & 0xff;
      return t;
    };
  }
  let pool = new Uint8Array(0);
  let at = 0;
  return () => {
    if (at + length > pool.length) {
      pool = new Uint8Array(POOL_SIZE);
      globalThis.crypto.getRandomValues(pool);
      at = 0;
    }
    const t = pool.slice(at, at + length);
    at += length;
    return t;
  };
}

/** Sequential message ids from a random start (RFC 7252 §4.4). */
export function createMessageIdGenerator(random: Random = Math.random): MessageIdGenerator {
  let next = Math.floor(random() * 0x10000) & 0xffff;
  return () => {
    const id = next;
    next = (next + 1) & 0xffff;
    return id;
  };
}

/** Token bytes as a compact string for Map keys. */
export function tokenKey(token: Uint8Array): string {
  let s = '';
  for (let i = 0; i < token.length; i++) s += String.fromCharCode(token[i]!);
  return s;
}
