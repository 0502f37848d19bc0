/**
 * Queue mode delivery: requests for sleeping clients go to the `RequestQueueStore`; when the
 * client wakes they are sent one at a time, oldest first, skipping any whose TTL passed.
 */
import type { Clock } from '../core/clock';
import { ClientSleepingError } from '../core/errors/client-sleeping-error';
import { RequestTimeoutError } from '../core/errors/request-timeout-error';
import type { TypedEmitter } from '../core/event-emitter';
import type { IdGenerator } from '../core/id-generator';
import type { Registration } from '../registration/registration';
import type { DeviceManagementRequest } from '../request/downlink-requests';
import type { AnyResponse } from '../request/downlink-responses';
import type { ServerEvents } from '../server/server-events';
import type { PresenceService } from './presence-service';
import type { QueuedRequest, RequestQueueStore } from './request-queue';

export interface QueueServiceDeps {
  readonly store: RequestQueueStore;
  readonly presence: PresenceService;
  readonly clock: Clock;
  readonly generateId: IdGenerator;
  readonly events: TypedEmitter<ServerEvents>;
  /** Default TTL of a queued request. */
  readonly defaultTtlMs: number;
  /** Sends now (the client is awake) and returns the response. */
  readonly sendNow: (
    registration: Registration,
    request: DeviceManagementRequest,
    timeoutMs?: number,
  ) => Promise<AnyResponse>;
  readonly getRegistration: (endpoint: string) => Promise<Registration | undefined>;
}

export class QueueService {
  readonly #draining = new Set<string>();

  constructor(private readonly deps: QueueServiceDeps) {}

  /** Queues a request for a sleeping client and throws `ClientSleepingError` carrying its id. */
  async enqueueAndThrow(
    registration: Registration,
    request: DeviceManagementRequest,
    options: { timeoutMs?: number; ttlMs?: number },
  ): Promise<never> {
    const now = this.deps.clock.now();
    const queued: QueuedRequest = {
      id: this.deps.generateId(),
      endpoint: registration.endpoint,
      request,
      enqueuedAt: now,
      expiresAt: now + (options.ttlMs ?? this.deps.defaultTtlMs),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    await this.deps.store.enqueue(queued);
    throw new ClientSleepingError(registration.endpoint, queued.id);
  }

  list(endpoint: string): Promise<QueuedRequest[]> {
    return this.deps.store.list(endpoint);
  }

  /** Cancels a queued request; false when it is unknown (already sent, expired or cancelled). */
  async cancel(queuedRequestId: string): Promise<boolean> {
    const removed = await this.deps.store.remove(queuedRequestId);
    if (removed) this.deps.events.emit('queuedDropped', { queued: removed, reason: 'cancelled' });
    return removed !== undefined;
  }

  async dropAll(endpoint: string): Promise<void> {
    for (const queued of await this.deps.store.clear(endpoint)) {
      this.deps.events.emit('queuedDropped', { queued, reason: 'registration-ended' });
    }
  }

  async sweepExpired(): Promise<void> {
    for (const queued of await this.deps.store.removeExpired(this.deps.clock.now())) {
      this.deps.events.emit('queuedDropped', { queued, reason: 'expired' });
    }
  }

  /**
   * Sends the queued requests of an awake client, in order. Stops (keeping the rest) when the
   * client stops answering. One drain per endpoint at a time.
   */
  async drain(endpoint: string): Promise<void> {
    if (this.#draining.has(endpoint)) return;
    this.#draining.add(endpoint);
    try {
      await this.sweepExpired();
      while (this.deps.presence.isAwake(endpoint)) {
        const queued = await this.deps.store.shift(endpoint);
        if (!queued) break;
        const registration = await this.deps.getRegistration(endpoint);
        if (!registration) {
          this.deps.events.emit('queuedDropped', { queued, reason: 'registration-ended' });
          continue;
        }
        try {
          const response = await this.deps.sendNow(registration, queued.request, queued.timeoutMs);
          this.deps.events.emit('queuedResponse', { queued, response });
        } catch (error) {
          this.deps.events.emit('queuedFailed', { queued, error });
          if (RequestTimeoutError.isInstance(error)) break;
        }
      }
    } finally {
      this.#draining.delete(endpoint);
    }
  }
}
