/**
 * Registrations looked up recently, by id, each trusted for `ttlMs` after it was stored. The
 * notification path asks this before the store: most notifications come from clients that are
 * not in queue mode, and for them a cached answer makes the queue-mode check synchronous.
 *
 * Short-lived on purpose: a shared store (Redis, cluster mode) can change a registration on
 * another node without this node seeing an event, so nothing here is trusted for longer than
 * `ttlMs`. Local changes (register, update, de-register, expiry) update it at once. Memory stays
 * bounded without a sweep: entries live in two generations, and the older one is dropped whole
 * every `ttlMs`, so at most the entries stored within the last 2 × `ttlMs` are held.
 */
import type { Clock } from '../core/clock';
import type { Registration } from '../registration/registration';

interface Entry {
  readonly registration: Registration;
  readonly at: number;
}

export class RecentRegistrations {
  #current = new Map<string, Entry>();
  #previous = new Map<string, Entry>();
  #rotatedAt: number;
  /** Counts local changes, so a lookup that raced with one does not store what it read before. */
  #changes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.#rotatedAt = clock.now();
  }

  /** The registration stored under `id` less than `ttlMs` ago, if any. */
  get(id: string): Registration | undefined {
    if (this.ttlMs <= 0) return undefined;
    const now = this.#rotate();
    const entry = this.#current.get(id) ?? this.#previous.get(id);
    return entry !== undefined && now - entry.at < this.ttlMs ? entry.registration : undefined;
  }

  /** A local change (register, update): the registration as it is now. */
  set(registration: Registration): void {
    this.#changes++;
    this.#store(registration);
  }

  /** Counter to pass to `offer` (read it before a store lookup). */
  get changes(): number {
    return this.#changes;
  }

  /** A store lookup's answer, kept unless a local change happened since `changesBefore`. */
  offer(registration: Registration, changesBefore: number): void {
    if (changesBefore === this.#changes) this.#store(registration);
  }

  #store(registration: Registration): void {
    if (this.ttlMs <= 0) return;
    const now = this.#rotate();
    this.#previous.delete(registration.id);
    this.#current.set(registration.id, { registration, at: now });
  }

  /** A local change (de-register, expiry). */
  delete(id: string): void {
    this.#changes++;
    this.#current.delete(id);
    this.#previous.delete(id);
  }

  /** Entries held (fresh or not yet dropped). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  #rotate(): number {
    const now = this.clock.now();
    if (now - this.#rotatedAt >= this.ttlMs) {
      // Two generations old is always stale: drop it whole (no per-entry sweep).
      this.#previous = now - this.#rotatedAt >= 2 * this.ttlMs ? new Map() : this.#current;
      this.#current = new Map();
      this.#rotatedAt = now;
    }
    return now;
  }
}
