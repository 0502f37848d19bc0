/**
 * An async iterable of notifications for one observation. Buffers up to `capacity` undelivered
 * notifications (oldest dropped first: for observed state the newest value is what matters).
 */
import type { Notification } from './notification';

export class NotificationStream implements AsyncIterable<Notification> {
  readonly #buffer: Notification[] = [];
  readonly #waiters: ((result: IteratorResult<Notification>) => void)[] = [];
  #ended = false;
  #dropped = 0;

  constructor(private readonly capacity = 256) {}

  /** Notifications dropped because the consumer was slower than the device. */
  get dropped(): number {
    return this.#dropped;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(notification: Notification): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter({ value: notification, done: false });
      return;
    }
    this.#buffer.push(notification);
    if (this.#buffer.length > this.capacity) {
      this.#buffer.shift();
      this.#dropped++;
    }
  }

  /** Ends iteration after the buffered notifications are consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Notification> {
    return {
      next: () => {
        const value = this.#buffer.shift();
        if (value) return Promise.resolve({ value, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.end();
        this.#buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
