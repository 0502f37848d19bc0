import { describe, expect, it } from 'vitest';
import { dropOldest } from './bounded-map';

describe('dropOldest', () => {
  it('drops the oldest entries in insertion order, at least one, never more than there are', () => {
    const map = new Map([1, 2, 3, 4, 5].map((n) => [n, String(n)]));
    map.delete(2);
    map.set(2, 'again');
    dropOldest(map, 2);
    expect([...map.keys()]).toEqual([4, 5, 2]);
    dropOldest(map, 0.5);
    expect([...map.keys()]).toEqual([5, 2]);
    dropOldest(map, 10);
    expect(map.size).toBe(0);
    dropOldest(map, 1);
    expect(map.size).toBe(0);
  });
});
