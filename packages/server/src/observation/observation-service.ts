/**
 * Keeps observations (in the `ObservationStore`) and the live notification streams of this
 * server process, matches incoming notifications to them, and ends them on cancel or when the
 * registration ends.
 */
import type { Clock } from '../core/clock';
import type { TypedEmitter } from '../core/event-emitter';
import type { ServerEvents } from '../server/server-events';
import type { Notification } from './notification';
import { NotificationStream } from './notification-stream';
import type { ObservationInfo } from './observation';
import type { ObservationStore } from './observation-store';

type CancelReason = ServerEvents['observationCancelled']['reason'];

export class ObservationService {
  readonly #streams = new Map<string, NotificationStream>();

  constructor(
    readonly store: ObservationStore,
    private readonly events: TypedEmitter<ServerEvents>,
    private readonly clock: Clock,
    private readonly streamCapacity = 256,
  ) {}

  /** Records a new observation and opens its stream. */
  async established(observation: ObservationInfo): Promise<NotificationStream> {
    await this.store.add(observation);
    this.#streams.get(observation.id)?.end();
    const stream = new NotificationStream(this.streamCapacity);
    this.#streams.set(observation.id, stream);
    return stream;
  }

  /** The live stream of an observation made by this process, if any. */
  stream(observationId: string): NotificationStream | undefined {
    return this.#streams.get(observationId);
  }

  /**
   * Delivers a notification. Returns false when the observation is unknown (the adapter then
   * rejects the notification with RST, which cancels it on the client).
   */
  notify(
    observationId: string,
    fields: Omit<Notification, 'observation' | 'receivedAt'>,
  ): Promise<Notification | undefined> {
    // A `then` instead of an async function: one promise per notification fewer.
    let found: Promise<ObservationInfo | undefined>;
    try {
      found = this.store.get(observationId);
    } catch (error) {
      return Promise.reject(error);
    }
    return found.then((observation) => {
      if (!observation) return undefined;
      const notification = makeNotification(fields, observation, this.clock.now());
      this.#streams.get(observationId)?.push(notification);
      this.events.emit('notification', notification);
      if (notification.code.startsWith('2.')) return notification;
      return this.remove(observationId, 'error').then(() => notification);
    });
  }

  async remove(observationId: string, reason: CancelReason): Promise<ObservationInfo | undefined> {
    const observation = await this.store.remove(observationId);
    this.#endStream(observationId);
    if (observation) this.events.emit('observationCancelled', { observation, reason });
    return observation;
  }

  async removeByRegistration(registrationId: string): Promise<void> {
    for (const observation of await this.store.removeByRegistration(registrationId)) {
      this.#endStream(observation.id);
      this.events.emit('observationCancelled', { observation, reason: 'registration-ended' });
    }
  }

  stop(): void {
    for (const stream of this.#streams.values()) stream.end();
    this.#streams.clear();
  }

  #endStream(observationId: string): void {
    this.#streams.get(observationId)?.end();
    this.#streams.delete(observationId);
  }
}

/**
 * `{ ...fields, observation, receivedAt }` with the same keys in the same order, built field by
 * field: an object spread per notification was the largest self-time cost of the notification path.
 */
function makeNotification(
  fields: Omit<Notification, 'observation' | 'receivedAt'>,
  observation: ObservationInfo,
  receivedAt: number,
): Notification {
  const n: { -readonly [K in keyof Notification]?: Notification[K] } = { code: fields.code };
  if ('content' in fields) n.content = fields.content;
  if ('compositeContent' in fields) n.compositeContent = fields.compositeContent;
  if ('diagnostic' in fields) n.diagnostic = fields.diagnostic;
  n.observation = observation;
  n.receivedAt = receivedAt;
  return n as Notification;
}
