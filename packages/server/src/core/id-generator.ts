/** Generates opaque ids (registration ids, queued request ids). Injected; tests pass a counter. */
export type IdGenerator = () => string;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const POOL_IDS = 256;
let pool = new Uint8Array(0);
let offset = 0;

/** 12 random url-safe characters (72 bits) from Web Crypto (drawn in batches: ids are hot on Register). */
export const randomId: IdGenerator = () => {
  if (offset + 12 > pool.length) {
    pool = new Uint8Array(12 * POOL_IDS);
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  let out = '';
  for (let i = offset; i < offset + 12; i++) out += ALPHABET[pool[i]! & 63];
  offset += 12;
  return out;
};

/** Deterministic ids for tests: prefix1, prefix2, ... */
export function counterIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}${++n}`;
}
