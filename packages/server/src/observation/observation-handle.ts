import type { ObserveCompositeResponse, ObserveResponse } from '../request/downlink-responses';
import type { Notification } from './notification';
import type { NotificationStream } from './notification-stream';
import type { ObservationInfo } from './observation';

export type CancelMode = 'passive' | 'active';

/**
 * What `server.observe()` returns: the first response (current value) and, when the client
 * accepted the observation, an async iterable of the notifications that follow.
 * Iteration ends on `cancel()`, on an error notification, or when the registration ends.
 */
export class Observation<R extends ObserveResponse | ObserveCompositeResponse = ObserveResponse>
  implements AsyncIterable<Notification>
{
  constructor(
    readonly response: R,
    readonly info: ObservationInfo | undefined,
    private readonly stream: NotificationStream | undefined,
    private readonly canceller: (info: ObservationInfo, mode: CancelMode) => Promise<void>,
  ) {}

  isSuccess(): boolean {
    return this.response.isSuccess() && this.info !== undefined;
  }

  /** Notifications dropped because nobody consumed them fast enough. */
  get dropped(): number {
    return this.stream?.dropped ?? 0;
  }

  /**
   * Stops the observation. `passive` (default) forgets it, and the client's next notification
   * is answered with RST; `active` also sends the cancelling GET (Observe=1) to the client.
   */
  async cancel(mode: CancelMode = 'passive'): Promise<void> {
    if (this.info) await this.canceller(this.info, mode);
    this.stream?.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<Notification> {
    if (!this.stream) return { next: async () => ({ value: undefined, done: true }) };
    return this.stream[Symbol.asyncIterator]();
  }
}
