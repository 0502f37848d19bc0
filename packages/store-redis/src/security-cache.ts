/**
 * A node's copy of security infos by endpoint (present or absent), so a Register does not read
 * Redis to authorize the client. Every change made through `RedisSecurityStore` publishes the
 * endpoint on `sec:changed` in the same script as the write; each node listens on its own
 * subscriber connection and forgets that entry. While the subscriber is not connected nothing is
 * cached or served (a message may have been missed), and every reconnect starts empty.
 * A read that an invalidation overtook is not kept (`#epoch`): the next read goes to Redis.
 * `onChange` hears every change message, and `undefined` when the feed comes back after an
 * interruption (messages may have been lost: the listener re-reads everything it keeps).
 */
import type { Redis } from 'ioredis';
import { dropOldest } from './bounded-map';

/** Entries kept at most (the oldest go first). */
const CACHE_LIMIT = 10_000;

export class SecurityInfoCache<T> {
  readonly #subscriber: Redis;
  readonly #channel: string;
  /** endpoint -> stored JSON, or null when the endpoint has none. */
  readonly #entries = new Map<string, T | null>();
  /** Bumped by every invalidation and disconnect: a read older than that is not kept. */
  #epoch = 0;
  #live = false;
  #started = false;
  /** Lost the feed since it was last live: the next SUBSCRIBE announces a resync. */
  #interrupted = false;
  readonly #onChange: (endpoint: string | undefined) => void;

  /** `subscriber` becomes a subscriber connection (it can do nothing else). */
  constructor(subscriber: Redis, channel: string, onChange: (endpoint: string | undefined) => void = () => {}) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#onChange = onChange;
    subscriber.on('message', (channel: string, endpoint: string) => {
      if (channel !== this.#channel) return;
      this.#epoch++;
      this.#entries.delete(endpoint);
      this.#onChange(endpoint);
    });
    const down = () => {
      if (this.#live) this.#interrupted = true;
      this.#live = false;
      this.#epoch++;
      this.#entries.clear();
    };
    subscriber.on('close', down);
    subscriber.on('reconnecting', down);
    // 'ready' comes before ioredis has subscribed again: live only once a SUBSCRIBE is answered.
    subscriber.on('ready', () => {
      if (this.#started) this.#subscribe().catch(() => undefined);
    });
  }

  async #subscribe(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
    this.#epoch++;
    this.#live = this.#started && this.#subscriber.status === 'ready';
    if (this.#live && this.#interrupted) {
      this.#interrupted = false;
      this.#onChange(undefined);
    }
  }

  async start(): Promise<void> {
    this.#started = true;
    await this.#subscribe();
  }

  stop(): void {
    this.#started = false;
    this.#live = false;
    this.#entries.clear();
    this.#subscriber.disconnect();
  }

  /** The cached value (null: known absent), or undefined when not cached. */
  get(endpoint: string): T | null | undefined {
    return this.#live ? this.#entries.get(endpoint) : undefined;
  }

  /** Reads through `load` and keeps the result unless an invalidation came in meanwhile. */
  async load(endpoint: string, load: () => Promise<T | null>): Promise<T | null> {
    const epoch = this.#epoch;
    const value = await load();
    if (this.#live && epoch === this.#epoch) {
      this.#entries.set(endpoint, value);
      if (this.#entries.size > CACHE_LIMIT) dropOldest(this.#entries, CACHE_LIMIT / 10);
    }
    return value;
  }

  /** A change made here: forget it now (the published message follows). */
  forget(endpoint: string): void {
    this.#epoch++;
    this.#entries.delete(endpoint);
  }

  get live(): boolean {
    return this.#live;
  }
}
