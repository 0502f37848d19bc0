/** Generates opaque ids (registration ids, queued request ids). Injected; tests pass a counter. */
export type IdGenerator = () => string;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** 12 random url-safe characters (72 bits) from Web Crypto. */
export const randomId: IdGenerator = () => {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
};

/** Deterministic ids for tests: prefix1, prefix2, ... */
export function counterIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}${++n}`;
}
