/**
 * Tracks whether queue-mode clients are awake. A client is awake after any activity (Register,
 * Update, a response, a notification, a Send) for `awakeTimeMs` (default 93 s, CoAP
 * MAX_TRANSMIT_WAIT, as the spec suggests), then sleeping. Runtime state, kept per server node.
 */
import type { Clock } from '../core/clock';

export interface PresenceEvents {
  onAwake(endpoint: string): void;
  onSleeping(endpoint: string): void;
}

export class PresenceService {
  readonly #timers = new Map<string, unknown>();

  constructor(
    private readonly clock: Clock,
    private readonly awakeTimeMs: number,
    private readonly events: PresenceEvents,
  ) {}

  isAwake(endpoint: string): boolean {
    return this.#timers.has(endpoint);
  }

  /** Marks activity: awake now and for `awakeTimeMs` more. */
  touch(endpoint: string): void {
    const wasAwake = this.#timers.has(endpoint);
    const previous = this.#timers.get(endpoint);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    this.#timers.set(
      endpoint,
      this.clock.setTimeout(() => this.sleep(endpoint), this.awakeTimeMs),
    );
    if (!wasAwake) this.events.onAwake(endpoint);
  }

  /** Sleeping now (awake time over, or a request timed out). */
  sleep(endpoint: string): void {
    const timer = this.#timers.get(endpoint);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.#timers.delete(endpoint);
    this.events.onSleeping(endpoint);
  }

  /** Forgets an endpoint silently (de-registered or expired). */
  forget(endpoint: string): void {
    const timer = this.#timers.get(endpoint);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.#timers.delete(endpoint);
  }

  stop(): void {
    for (const timer of this.#timers.values()) this.clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
