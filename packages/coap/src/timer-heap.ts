/**
 * Many timers on one: a binary min-heap of nodes keyed by due time, driven by a single clock
 * timer armed for the earliest. The node is the caller's own object (a retransmission), so
 * scheduling allocates nothing; cancel and reschedule are O(log n).
 */
import type { Clock } from './clock';

export interface TimerNode {
  /** Clock time when the node is due; maintained by the heap. */
  due: number;
  /** Position in the heap, -1 when not scheduled; maintained by the heap. */
  heapIndex: number;
}

export class TimerHeap<T extends TimerNode> {
  private readonly heap: T[] = [];
  private timer: unknown;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly fire = (): void => this.runDue();

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (node: T) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** (Re)schedules `node` to be due in `delayMs`. */
  schedule(node: T, delayMs: number): void {
    node.due = this.clock.now() + delayMs;
    if (node.heapIndex >= 0) {
      this.siftUp(node.heapIndex);
      this.siftDown(node.heapIndex);
    } else {
      node.heapIndex = this.heap.length;
      this.heap.push(node);
      this.siftUp(node.heapIndex);
    }
    if (node.due < this.armedFor) this.arm(node.due);
  }

  cancel(node: T): void {
    const i = node.heapIndex;
    if (i < 0) return;
    node.heapIndex = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.siftUp(i);
      this.siftDown(last.heapIndex);
    }
    // The clock timer may now fire early; it then re-arms for the next node.
  }

  clear(): void {
    for (const n of this.heap) n.heapIndex = -1;
    this.heap.length = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private runDue(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    // Bounded: each node runs at most once per pass (callbacks that reschedule land in the future).
    for (let budget = this.heap.length; budget > 0 && this.heap.length > 0 && this.heap[0]!.due <= now; budget--) {
      const node = this.heap[0]!;
      this.cancel(node);
      this.onDue(node);
    }
    const next = this.heap[0];
    if (next) this.arm(next.due);
  }

  private arm(due: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, due - this.clock.now()));
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const node = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.due <= node.due) break;
      h[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    h[i] = node;
    node.heapIndex = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const node = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.due < h[l]!.due ? r : l;
      const child = h[c]!;
      if (child.due >= node.due) break;
      h[i] = child;
      child.heapIndex = i;
      i = c;
    }
    h[i] = node;
    node.heapIndex = i;
  }
}
