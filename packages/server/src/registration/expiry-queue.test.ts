import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiryQueue } from './expiry-queue';

describe('ExpiryQueue', () => {
  it('pops due entries earliest first and skips stale ones', () => {
    const live = new Map<string, number>();
    const q = new ExpiryQueue<string>((e) => live.get(e.value) === e.at);
    for (const [v, at] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['d', 40],
    ] as const) {
      live.set(v, at);
      q.push(at, v);
    }
    live.set('a', 35); // 'a' moved later: its entry at 10 is stale
    q.push(35, 'a');
    const due: string[] = [];
    q.popDue(
      (at) => at <= 36,
      (v) => {
        live.delete(v);
        due.push(v);
      },
    );
    expect(due).toStrictEqual(['b', 'c', 'a']);
    expect(q.size).toBe(1);
  });

  it('ignores NaN times (never due, as a scan never found them due)', () => {
    const q = new ExpiryQueue<string>(() => true);
    q.push(Number.NaN, 'x');
    expect(q.size).toBe(0);
  });

  it('compacts when most entries are stale, so repeated updates do not grow it', () => {
    let current = 0;
    const q = new ExpiryQueue<number>((e) => e.value === current);
    for (let i = 1; i <= 10_000; i++) {
      current = i;
      q.push(1000 + i, i);
      q.maybeCompact(1);
    }
    expect(q.size).toBeLessThanOrEqual(65);
    const due: number[] = [];
    q.popDue(
      () => true,
      (v) => due.push(v),
    );
    expect(due).toStrictEqual([10_000]);
  });

  it('matches a full scan for random pushes, replacements and sweeps', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(20), at: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(20) }),
      fc.record({ kind: fc.constant('sweep' as const), now: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const live = new Map<number, { at: number }>();
        const q = new ExpiryQueue<{ key: number; at: number }>((e) => live.get(e.value.key) === e.value);
        for (const o of ops) {
          if (o.kind === 'set') {
            const value = { key: o.key, at: o.at };
            live.set(o.key, value);
            q.push(o.at, value);
            q.maybeCompact(live.size);
          } else if (o.kind === 'delete') {
            live.delete(o.key);
            q.maybeCompact(live.size);
          } else {
            const expected = [...live.entries()]
              .filter(([, v]) => v.at < o.now)
              .map(([k]) => k)
              .sort((a, b) => a - b);
            const got: number[] = [];
            q.popDue(
              (at) => at < o.now,
              (v) => {
                live.delete(v.key);
                got.push(v.key);
              },
            );
            expect(got.sort((a, b) => a - b)).toStrictEqual(expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
