import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock';
import { DedupCache } from './dedup-cache';

function manualClock(): Clock & { t: number } {
  const c = { t: 1000, now: () => c.t, setTimeout: () => 0, clearTimeout: () => {} };
  return c;
}

describe('DedupCache', () => {
  it('finds a message id per peer within its lifetime, then forgets it', () => {
    const clock = manualClock();
    const d = new DedupCache(clock, 10);
    const s = d.add('a|1', 7, 100);
    expect(d.find('a|1', 7)).toBe(s);
    expect(d.find('a|1', 8)).toBe(-1);
    expect(d.find('b|1', 7)).toBe(-1);
    clock.t += 100;
    expect(d.find('a|1', 7)).toBe(-1);
  });

  it('is bounded: the oldest record is evicted at capacity', () => {
    const d = new DedupCache(manualClock(), 3);
    for (let mid = 0; mid < 5; mid++) d.add('p', mid, 1e9);
    expect(d.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((m) => d.find('p', m) >= 0)).toEqual([false, false, true, true, true]);
  });

  it('stores and replays replies; a stale handle to a reused slot does nothing', () => {
    const d = new DedupCache(manualClock(), 2);
    const s = d.add('p', 1, 1e9);
    const gen = d.generation(s);
    d.setReply(s, gen, Uint8Array.of(1, 2, 3));
    expect(d.reply(s)).toEqual(Uint8Array.of(1, 2, 3));
    d.add('p', 2, 1e9);
    d.add('p', 3, 1e9); // evicts mid 1, slot reused
    const again = d.find('p', 3);
    expect(again).toBe(s);
    d.setReply(s, gen, Uint8Array.of(9)); // old generation: ignored
    expect(d.reply(again)).toBeUndefined();
  });

  it('wraps the reply slab, dropping only the oldest replies', () => {
    const d = new DedupCache(manualClock(), 1000, 64);
    const slots: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = d.add('p', i, 1e9);
      d.setReply(s, d.generation(s), new Uint8Array(10).fill(i));
      slots.push(s);
    }
    // 64 bytes hold six 10-byte replies; the newest ones survive intact.
    expect(d.reply(slots[9]!)).toEqual(new Uint8Array(10).fill(9));
    expect(d.reply(slots[5]!)).toEqual(new Uint8Array(10).fill(5));
    expect(d.reply(slots[0]!)).toBeUndefined();
    // The record itself stays: a duplicate is still recognised (and not processed again).
    expect(d.find('p', 0)).toBe(slots[0]);
  });
});

describe('DedupCache reply storage', () => {
  it('starts small and holds little memory for a small capacity', () => {
    const d = new DedupCache(manualClock(), 16);
    expect(d.allocatedBytes).toBeLessThan(8 * 1024);
    // Nor does the default capacity: records and index start at 256 slots, not 20 000 (was 1.6 MB).
    expect(new DedupCache(manualClock(), 20_000).allocatedBytes).toBeLessThan(32 * 1024);
  });

  it('grows on demand while replies are live and still replays every one of them', () => {
    const d = new DedupCache(manualClock(), 64);
    const before = d.allocatedBytes;
    const slots: number[] = [];
    for (let i = 0; i < 64; i++) {
      const s = d.add('p', i, 1e9);
      d.setReply(s, d.generation(s), new Uint8Array(300).fill(i));
      slots.push(s);
    }
    expect(d.allocatedBytes).toBeGreaterThan(before + 64 * 300 - 4096);
    for (let i = 0; i < 64; i++) expect(d.reply(slots[i]!)).toEqual(new Uint8Array(300).fill(i));
  });

  it('does not grow for replies whose records expired: it reuses the space', () => {
    const clock = manualClock();
    const d = new DedupCache(clock, 1000);
    const start = d.allocatedBytes;
    for (let i = 0; i < 500; i++) {
      clock.t += 20; // the previous record (and its reply) expired
      const s = d.add('p', i, 10);
      d.setReply(s, d.generation(s), new Uint8Array(100).fill(i & 0xff));
    }
    expect(d.allocatedBytes).toBe(start);
    const last = d.find('p', 499);
    expect(d.reply(last)).toEqual(new Uint8Array(100).fill(499 & 0xff));
  });

  it('keeps the bound: at the cap the oldest replies are overwritten', () => {
    const d = new DedupCache(manualClock(), 1000, 8192);
    const slots: number[] = [];
    for (let i = 0; i < 100; i++) {
      const s = d.add('p', i, 1e9);
      d.setReply(s, d.generation(s), new Uint8Array(200).fill(i));
      slots.push(s);
    }
    expect(d.allocatedBytes - new DedupCache(manualClock(), 1000, 8192).allocatedBytes).toBeLessThanOrEqual(
      8192 - 4096 + 2000 * 16,
    );
    expect(d.reply(slots[99]!)).toEqual(new Uint8Array(200).fill(99));
    expect(d.reply(slots[0]!)).toBeUndefined();
  });
});

describe('DedupCache record growth', () => {
  it('grows its records while they are live, keeping every slot, record and reply', () => {
    const d = new DedupCache(manualClock(), 5000);
    const small = d.allocatedBytes;
    const slots: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = d.add(`p${i % 7}`, i, 1e9);
      d.setReply(s, d.generation(s), Uint8Array.of(i & 0xff, i >> 8));
      slots.push(s);
    }
    expect(d.size).toBe(3000);
    expect(d.allocatedBytes).toBeGreaterThan(small);
    expect(new Set(slots).size).toBe(3000);
    for (let i = 0; i < 3000; i++) {
      expect(d.find(`p${i % 7}`, i)).toBe(slots[i]);
      expect(d.reply(slots[i]!)).toEqual(Uint8Array.of(i & 0xff, i >> 8));
    }
  });

  it('stops at capacity and then evicts oldest first, across the grown FIFO', () => {
    const d = new DedupCache(manualClock(), 600);
    for (let mid = 0; mid < 1000; mid++) d.add('p', mid, 1e9);
    expect(d.size).toBe(600);
    expect(d.find('p', 399)).toBe(-1);
    expect(d.find('p', 400)).toBeGreaterThanOrEqual(0);
    expect(d.find('p', 999)).toBeGreaterThanOrEqual(0);
    const full = d.allocatedBytes;
    for (let mid = 1000; mid < 3000; mid++) d.add('p', mid & 0xffff, 1e9);
    expect(d.allocatedBytes).toBe(full);
    expect(d.size).toBe(600);
  });

  it('does not grow when records expire as fast as they come (steady state reuses freed slots)', () => {
    const clock = manualClock();
    const d = new DedupCache(clock, 20_000);
    const start = d.allocatedBytes;
    for (let i = 0; i < 10_000; i++) {
      clock.t += 1;
      d.add(`p${i % 50}`, i & 0xffff, 100); // ~100 live at a time
    }
    expect(d.allocatedBytes).toBe(start);
    expect(d.size).toBeLessThanOrEqual(101);
  });

  it('a stale handle from before growth still does nothing after its slot was reused', () => {
    const d = new DedupCache(manualClock(), 300);
    const first = d.add('p', 0, 1e9);
    const gen = d.generation(first);
    for (let mid = 1; mid < 301; mid++) d.add('p', mid, 1e9); // grows past 256, then evicts mid 0
    expect(d.find('p', 0)).toBe(-1);
    d.setReply(first, gen, Uint8Array.of(1));
    d.setExchange(first, gen, undefined);
    const reused = d.find('p', 300);
    expect(reused).toBe(first);
    expect(d.reply(reused)).toBeUndefined();
  });

  it('clear() forgets everything and the cache works again', () => {
    const d = new DedupCache(manualClock(), 1000);
    for (let mid = 0; mid < 700; mid++) d.add('p', mid, 1e9);
    d.clear();
    expect(d.size).toBe(0);
    expect(d.find('p', 5)).toBe(-1);
    const s = d.add('q', 5, 1e9);
    expect(d.find('q', 5)).toBe(s);
  });
});
