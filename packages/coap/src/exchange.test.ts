import { describe, expect, it } from 'vitest';
import type { ResponseSink } from './exchange';
import { ClientExchange, ExchangeStore, tokenId } from './exchange';
import { makePeer } from './transport';

const sink: ResponseSink = { onResponse: () => {}, onError: () => {} };
const ex = (peer: ReturnType<typeof makePeer>, token: number[]) =>
  new ClientExchange(peer, Uint8Array.from(token), true, sink, undefined);

describe('tokenId', () => {
  it('is distinct for tokens that differ in bytes or only in length', () => {
    const tokens = [
      [],
      [0],
      [0, 0],
      [1],
      [0, 1],
      [1, 0],
      [255, 255, 255, 255],
      [0, 0, 0, 0, 0, 0],
      [255, 255, 255, 255, 255, 255],
    ];
    const ids = tokens.map((t) => tokenId(Uint8Array.from(t)));
    expect(new Set(ids).size).toBe(tokens.length);
    for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true);
  });

  it('falls back to a string for 7 and 8 byte tokens', () => {
    expect(typeof tokenId(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]))).toBe('string');
    expect(tokenId(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).not.toBe(
      tokenId(Uint8Array.from([1, 2, 3, 4, 5, 6, 7])),
    );
  });
});

describe('ExchangeStore', () => {
  it('finds by peer and token, counts, lists per peer and deletes only the stored exchange', () => {
    const store = new ExchangeStore();
    const a = makePeer('127.0.0.1', 1000);
    const b = makePeer('127.0.0.1', 1001);
    const a1 = ex(a, [1, 2, 3, 4]);
    const a2 = ex(a, [1, 2, 3, 4, 5, 6, 7, 8]);
    const b1 = ex(b, [1, 2, 3, 4]);
    for (const e of [a1, a2, b1]) store.add(e);
    expect(store.size).toBe(3);
    expect(store.find(a, Uint8Array.from([1, 2, 3, 4]))).toBe(a1);
    expect(store.find(b, Uint8Array.from([1, 2, 3, 4]))).toBe(b1);
    expect(store.find(a, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).toBe(a2);
    expect(store.find(a, Uint8Array.from([1, 2, 3]))).toBeUndefined();
    expect(store.hasToken(a.key, Uint8Array.from([1, 2, 3, 4]))).toBe(true);
    expect(store.hasToken('nobody', Uint8Array.from([1, 2, 3, 4]))).toBe(false);
    expect(store.ofPeer(a.key)).toEqual([a1, a2]);
    store.delete(ex(a, [1, 2, 3, 4])); // a different exchange with the same key: not removed
    expect(store.size).toBe(3);
    store.delete(a1);
    store.delete(a1);
    expect(store.size).toBe(2);
    expect(store.all()).toEqual([a2, b1]);
    store.delete(a2);
    expect(store.ofPeer(a.key)).toEqual([]);
  });
});
