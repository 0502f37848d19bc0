/**
 * An async iterable of notifications for one observation. Buffers up to `capacity` undelivered
 * notifications (oldest dropped first: for observed state the newest value is what matters).
 * The buffer is a ring, so a stream nobody reads costs O(1) per notification once full (an
 * array `shift()` would move all `capacity` entries for every notification).
 */
import type { Notification } from './notification';

export class NotificationStream implements AsyncIterable<Notification> {
  readonly #ring: (Notification | undefined)[];
  #head = 0;
  #count = 0;
  readonly #waiters: ((result: IteratorResult<Notification>) => void)[] = [];
  #ended = false;
  #dropped = 0;

  constructor(capacity = 256) {
    // A capacity of 0 buffers nothing: only a waiting reader gets notifications.
    this.#ring = new Array<Notification | undefined>(Math.max(0, Math.floor(capacity) || 0)).fill(undefined);
  }

  /** Notifications dropped because the consumer was slower than the device. */
  get dropped(): number {
    return this.#dropped;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(notification: Notification): void {
    if (this.#ended) return;
    if (this.#waiters.length > 0) {
      this.#waiters.shift()!({ value: notification, done: false });
      return;
    }
    const size = this.#ring.length;
    if (size === 0) {
      this.#dropped++;
      return;
    }
    if (this.#count === size) {
      // Full: the oldest gives way.
      this.#ring[this.#head] = notification;
      this.#head = (this.#head + 1) % size;
      this.#dropped++;
      return;
    }
    this.#ring[(this.#head + this.#count) % size] = notification;
    this.#count++;
  }

  /** Ends iteration after the buffered notifications are consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  #take(): Notification | undefined {
    if (this.#count === 0) return undefined;
    const value = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#count--;
    return value;
  }

  [Symbol.asyncIterator](): AsyncIterator<Notification> {
    return {
      next: () => {
        const value = this.#take();
        if (value) return Promise.resolve({ value, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.end();
        this.#ring.fill(undefined);
        this.#head = 0;
        this.#count = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
