/**
 * A clock driven by hand: `advance(ms)` moves time and runs due timers in order. For tests and
 * benchmarks of code that takes a `Clock` (exported so users can test their own server code).
 */
import type { Clock } from './clock';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward, running every timer that falls due (earliest first), and lets promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.callback();
      await flush();
    }
    this.#now = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
