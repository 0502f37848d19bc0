import { describe, expect, it } from 'vitest';
import { RandomPool } from './random-pool';

describe('RandomPool', () => {
  it('hands out independent buffers of the asked size, never the same bytes twice, across refills', () => {
    const pool = new RandomPool(64);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = [1, 16, 32, 40][i % 4]!;
      const b = pool.take(n);
      expect(b.length).toBe(n);
      expect(b.buffer.byteLength).toBe(n); // its own allocation, not a view of the pool
      if (n >= 16) {
        const hex = b.toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
  });

  it('serves requests larger than the pool directly', () => {
    const b = new RandomPool(16).take(100);
    expect(b.length).toBe(100);
    expect(b.equals(Buffer.alloc(100))).toBe(false);
  });
});
