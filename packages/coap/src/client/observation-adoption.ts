/**
 * Observations this endpoint did not register itself (cluster failover: another server node made
 * them and shares its state): adopting one by its token without sending a request, and deciding
 * which unmatched responses go to the user's `onUnknownNotification` hook (the rest get RST).
 */
import { type CoapMessage, createOption, OptionNumber } from '@lwm2m-ts/codec';
import { CoapClosedError } from '../errors/coap-closed-error';
import { methodCode } from '../method';
import type { Observation } from '../observe/observation';
import type { Peer } from '../transport';
import type { ClientRole } from './client-role';
import { buildRequestMessage, type ObserveOptions, type PeerTarget, targetOptions } from './request-options';

export type AdoptObservationOptions = ObserveOptions & PeerTarget & { readonly token: Uint8Array };

/**
 * Opens an observation exchange on `options.token` as if we had registered it: no request is
 * sent; notifications carrying the token arrive on it, re-registration reuses the token.
 */
export function adoptObservation(client: ClientRole, options: AdoptObservationOptions, closed: boolean): Observation {
  const observation = client.newObservation(options.bufferSize);
  if (closed) {
    observation.onError(undefined, new CoapClosedError('endpoint is closed'));
    return observation;
  }
  const code = methodCode(options.method ?? 'GET');
  const message = buildRequestMessage(
    code,
    options.token,
    targetOptions(options),
    options,
    createOption(OptionNumber.OBSERVE, 0),
  );
  const ex = client.openExchange(
    options.peer,
    message,
    options.confirmable ?? true,
    options.timeoutMs ?? client.requestTimeoutMs,
    observation,
  );
  ex.keepOpen = true;
  observation.attach(ex, message);
  return observation;
}

/**
 * A response whose token matches no exchange: only a notification (it carries Observe) is offered
 * to the hook; undefined means RST at once.
 */
export function offerUnknownNotification(
  hook: ((message: CoapMessage, peer: Peer) => Promise<boolean>) | undefined,
  closed: boolean,
  message: CoapMessage,
  peer: Peer,
): Promise<boolean> | undefined {
  if (!hook || closed || !message.options.some((o) => o.number === OptionNumber.OBSERVE)) return undefined;
  return hook(message, peer);
}
