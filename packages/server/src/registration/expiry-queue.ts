/**
 * A min-heap of (expiry time, value) entries, so a sweep touches only what is due instead of
 * every registration. Entries are never removed from the middle: an updated or removed value
 * leaves a stale entry behind, which the owner recognises (`isCurrent`) and skips when it comes
 * due. So that stale entries cannot pile up (a registration updated every minute with a day's
 * lifetime would leave 1,440), the heap is rebuilt from the live entries whenever more than half
 * of it is stale: O(live) work once per O(live) updates. Times and values sit in two parallel
 * arrays (times unboxed as doubles), about 12 bytes per entry instead of an object each.
 */
export interface ExpiryEntry<T> {
  /** Epoch ms at which `value` expires. */
  readonly at: number;
  readonly value: T;
}

export class ExpiryQueue<T> {
  #times: number[] = [];
  #values: T[] = [];
  /** Entries popped or scanned by `popDue` and compaction (a measure of sweep work). */
  #examined = 0;

  /** `isCurrent(entry)`: whether the entry still describes the live value (not replaced or removed). */
  constructor(private readonly isCurrent: (entry: ExpiryEntry<T>) => boolean) {}

  get size(): number {
    return this.#times.length;
  }

  get examined(): number {
    return this.#examined;
  }

  push(at: number, value: T): void {
    // NaN would break the heap order; a scan comparing `NaN + grace < now` never expired it either.
    if (Number.isNaN(at)) return;
    this.#times.push(at);
    this.#values.push(value);
    this.#siftUp(this.#times.length - 1);
  }

  /**
   * Pops the entries that are due (`isDue(at)`, which must be monotonic in `at`), earliest first,
   * and hands each current one to `take` at once (which must make it stale, e.g. by removing the
   * value, so a duplicate entry of the same value is skipped); stale entries are dropped.
   */
  popDue(isDue: (at: number) => boolean, take: (value: T) => void): void {
    const times = this.#times;
    while (times.length > 0 && isDue(times[0]!)) {
      const entry = this.#popMin();
      this.#examined++;
      if (this.isCurrent(entry)) take(entry.value);
    }
  }

  /** Call after a value was replaced or removed: rebuilds the heap when most of it is stale. */
  maybeCompact(live: number): void {
    const n = this.#times.length;
    if (n <= 64 || n <= 2 * live) return;
    this.#examined += n;
    const times: number[] = [];
    const values: T[] = [];
    for (let i = 0; i < n; i++) {
      const entry = { at: this.#times[i]!, value: this.#values[i]! };
      if (!this.isCurrent(entry)) continue;
      times.push(entry.at);
      values.push(entry.value);
    }
    this.#times = times;
    this.#values = values;
    for (let i = (times.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #popMin(): ExpiryEntry<T> {
    const times = this.#times;
    const values = this.#values;
    const top = { at: times[0]!, value: values[0]! };
    const lastAt = times.pop()!;
    const lastValue = values.pop()!;
    if (times.length > 0) {
      times[0] = lastAt;
      values[0] = lastValue;
      this.#siftDown(0);
    }
    return top;
  }

  #siftUp(index: number): void {
    const times = this.#times;
    const values = this.#values;
    const at = times[index]!;
    const value = values[index]!;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= at) break;
      times[i] = times[parent]!;
      values[i] = values[parent]!;
      i = parent;
    }
    times[i] = at;
    values[i] = value;
  }

  #siftDown(index: number): void {
    const times = this.#times;
    const values = this.#values;
    const n = times.length;
    const at = times[index]!;
    const value = values[index]!;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && times[right]! < times[left]! ? right : left;
      if (times[child]! >= at) break;
      times[i] = times[child]!;
      values[i] = values[child]!;
      i = child;
    }
    times[i] = at;
    values[i] = value;
  }
}
