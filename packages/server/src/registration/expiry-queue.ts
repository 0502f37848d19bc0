/**
 * A min-heap of (expiry time, value) entries, so a sweep touches only what is due instead of
 * every registration. Entries are never removed from the middle: an updated or removed value
 * leaves a stale entry behind, which the owner recognises (`isCurrent`) and skips when it comes
 * due. So that stale entries cannot pile up (a registration updated every minute with a day's
 * lifetime would leave 1,440), the heap is rebuilt from the live entries whenever more than half
 * of it is stale: O(live) work once per O(live) updates.
 */
export interface ExpiryEntry<T> {
  /** Epoch ms at which `value` expires. */
  readonly at: number;
  readonly value: T;
}

export class ExpiryQueue<T> {
  #heap: ExpiryEntry<T>[] = [];
  /** Entries popped or scanned by `popDue` and compaction (a measure of sweep work). */
  #examined = 0;

  /** `isCurrent(entry)`: whether the entry still describes the live value (not replaced or removed). */
  constructor(private readonly isCurrent: (entry: ExpiryEntry<T>) => boolean) {}

  get size(): number {
    return this.#heap.length;
  }

  get examined(): number {
    return this.#examined;
  }

  push(at: number, value: T): void {
    // NaN would break the heap order; a scan comparing `NaN + grace < now` never expired it either.
    if (Number.isNaN(at)) return;
    const heap = this.#heap;
    heap.push({ at, value });
    this.#siftUp(heap.length - 1);
  }

  /**
   * Pops the entries that are due (`isDue(at)`, which must be monotonic in `at`), earliest first,
   * and hands each current one to `take` at once (which must make it stale, e.g. by removing the
   * value, so a duplicate entry of the same value is skipped); stale entries are dropped.
   */
  popDue(isDue: (at: number) => boolean, take: (value: T) => void): void {
    const heap = this.#heap;
    while (heap.length > 0 && isDue(heap[0]!.at)) {
      const entry = this.#popMin();
      this.#examined++;
      if (this.isCurrent(entry)) take(entry.value);
    }
  }

  /** Call after a value was replaced or removed: rebuilds the heap when most of it is stale. */
  maybeCompact(live: number): void {
    if (this.#heap.length <= 64 || this.#heap.length <= 2 * live) return;
    this.#examined += this.#heap.length;
    const kept = this.#heap.filter((entry) => this.isCurrent(entry));
    this.#heap = kept;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #popMin(): ExpiryEntry<T> {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index]!;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at <= entry.at) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[index]!;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.at < heap[left]!.at ? right : left;
      const c = heap[child]!;
      if (c.at >= entry.at) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = entry;
  }
}
