import type { LwM2mNode } from '@lwm2m-ts/objects';
import type { Notification } from '../observation/notification';
import type { ObservationInfo } from '../observation/observation';
import type { QueuedRequest } from '../queue/request-queue';
import type { Registration } from '../registration/registration';
import type { RegistrationEvents } from '../registration/registration-service';
import type { AnyResponse } from '../request/downlink-responses';

/** Everything a server reports. Subscribe with `server.events.on(name, listener)`. */
export interface ServerEvents extends RegistrationEvents {
  /** A queue-mode client went to sleep (awake time over, or a request to it timed out). */
  sleeping: { readonly registration: Registration };
  /** A queue-mode client woke up (Register, Update or other activity). */
  awake: { readonly registration: Registration };
  notification: Notification;
  observationCancelled: {
    readonly observation: ObservationInfo;
    readonly reason: 'active' | 'passive' | 'error' | 'registration-ended';
  };
  /** Data pushed by the client (LwM2M 1.1+ Send, `POST /dp`). */
  send: {
    readonly registration: Registration;
    readonly content: ReadonlyMap<string, LwM2mNode>;
    readonly receivedAt: number;
  };
  /** A queued request was delivered after the device woke and answered. */
  queuedResponse: { readonly queued: QueuedRequest; readonly response: AnyResponse };
  /** A queued request could not be delivered (timeout, transport error). */
  queuedFailed: { readonly queued: QueuedRequest; readonly error: unknown };
  /** A queued request was dropped unsent: TTL over, cancelled, or the registration ended. */
  queuedDropped: { readonly queued: QueuedRequest; readonly reason: 'expired' | 'cancelled' | 'registration-ended' };
  /** A listener or background task failed; the server carries on. */
  error: { readonly error: unknown };
}
