import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random';
import { MidIndex } from './mid-index';

describe('MidIndex', () => {
  it('agrees with a Map under random inserts, overwrites and deletes', () => {
    const random = seededRandom(3);
    const cap = 64;
    const index = new MidIndex(cap);
    const ref = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const peer = Math.floor(random() * 5);
      const mid = Math.floor(random() * 200);
      const key = `${peer}:${mid}`;
      if (random() < 0.5 && ref.size < cap) {
        index.set(peer, mid, step);
        ref.set(key, step);
      } else if (ref.has(key)) {
        const slot = ref.get(key)!;
        if (random() < 0.1) {
          index.delete(peer, mid, slot + 1); // a stale slot deletes nothing
          expect(index.get(peer, mid)).toBe(slot);
        } else {
          index.delete(peer, mid, slot);
          expect(index.get(peer, mid)).toBe(-1);
          ref.delete(key);
        }
      }
      if (step % 97 === 0) {
        for (const [k, v] of ref) {
          const [p, m] = k.split(':').map(Number);
          expect(index.get(p!, m!)).toBe(v);
        }
      }
    }
    for (let peer = 0; peer < 5; peer++)
      for (let mid = 0; mid < 200; mid++) expect(index.get(peer, mid)).toBe(ref.get(`${peer}:${mid}`) ?? -1);
  });

  it('reserve() rehashes into a larger table and keeps every key', () => {
    const index = new MidIndex(8);
    for (let i = 0; i < 8; i++) index.set(i % 3, i, i * 10);
    const before = index.allocatedBytes;
    index.reserve(1000);
    expect(index.allocatedBytes).toBeGreaterThan(before);
    for (let i = 0; i < 8; i++) expect(index.get(i % 3, i)).toBe(i * 10);
    for (let i = 8; i < 1000; i++) index.set(i % 3, i, i * 10);
    for (let i = 0; i < 1000; i++) expect(index.get(i % 3, i)).toBe(i * 10);
    index.reserve(10); // never shrinks
    expect(index.get(2, 998)).toBe(9980);
  });
});
