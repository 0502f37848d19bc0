import { describe, expect, it } from 'vitest';
import type { Clock } from './clock';
import { TimerHeap, type TimerNode } from './timer-heap';

/** A manual clock with real timer semantics, to drive the heap without fake timers. */
function manualClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      timers.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.size };
}

type Node = TimerNode & { name: string };
const node = (name: string): Node => ({ name, due: 0, heapIndex: -1 });

describe('TimerHeap', () => {
  it('fires nodes in due order at their exact times, with one clock timer', () => {
    const { clock, advance, pending } = manualClock();
    const fired: string[] = [];
    const heap = new TimerHeap<Node>(clock, (n) => fired.push(`${n.name}@${clock.now()}`));
    heap.schedule(node('c'), 300);
    heap.schedule(node('a'), 100);
    heap.schedule(node('b'), 200);
    expect(pending()).toBe(1);
    advance(1000);
    expect(fired).toEqual(['a@100', 'b@200', 'c@300']);
    expect(heap.size).toBe(0);
  });

  it('cancels and reschedules', () => {
    const { clock, advance } = manualClock();
    const fired: string[] = [];
    const heap = new TimerHeap<Node>(clock, (n) => fired.push(n.name));
    const nodes = Array.from({ length: 50 }, (_, i) => node(`n${i}`));
    for (const [i, n] of nodes.entries()) heap.schedule(n, 1000 - i * 10);
    for (let i = 0; i < 50; i += 2) heap.cancel(nodes[i]!);
    heap.schedule(nodes[1]!, 5);
    advance(2000);
    expect(fired[0]).toBe('n1');
    expect(fired).toHaveLength(25);
    expect(fired.slice(1)).toEqual(
      nodes
        .filter((_, i) => i % 2 === 1 && i !== 1)
        .reverse()
        .map((n) => n.name),
    );
  });

  it('a node rescheduled from its own callback fires again later', () => {
    const { clock, advance } = manualClock();
    let count = 0;
    const heap: TimerHeap<Node> = new TimerHeap<Node>(clock, (n) => {
      if (++count < 3) heap.schedule(n, 100);
    });
    heap.schedule(node('x'), 100);
    advance(1000);
    expect(count).toBe(3);
  });
});
