/**
 * The seam between the LwM2M core and a protocol: sends a typed request to a client and
 * resolves with the typed response. The CoAP adapter implements it; tests may fake it.
 * Rejects only with `RequestTimeoutError` (no answer) or a transport failure.
 */
import type { ClientPeer } from '../core/peer';
import type { Lwm2mVersion } from '../registration/registration';
import type { DownlinkRequest } from '../request/downlink-requests';
import type { ResponseByKind } from '../request/downlink-responses';

export interface DownlinkTarget {
  readonly endpoint: string;
  readonly peer: ClientPeer;
  /** Present for registered clients (observations are bound to it). */
  readonly registrationId?: string;
  readonly lwm2mVersion?: Lwm2mVersion;
  /** The registration payload: tells the adapter the alternate root path and object versions. */
  readonly objectLinks?: string;
}

export interface SendOptions {
  readonly timeoutMs?: number;
}

export interface DownlinkSender {
  send<R extends DownlinkRequest>(
    target: DownlinkTarget,
    request: R,
    options: SendOptions,
  ): Promise<ResponseByKind[R['kind']]>;
  /** Forget an observation locally (passive cancel: the next notification is answered with RST). */
  forgetObservation?(observationId: string): void;
}
