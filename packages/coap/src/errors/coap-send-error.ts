import { CoapClosedError } from './coap-closed-error';

const marker = Symbol.for('lwm2m-ts.coap-send-error');

/**
 * The transport refused to send our message (e.g. a DTLS handshake that failed, a TCP connect
 * refused): the exchange fails at once, without retransmissions. `cause` is the transport's error.
 * Also a `CoapClosedError` (the peer cannot be reached), so `CoapClosedError.isInstance()` holds.
 */
export class CoapSendError extends CoapClosedError {
  readonly [marker] = true;
  /** Peer key the message was sent to. */
  readonly peerKey: string;

  constructor(peerKey: string, cause: unknown) {
    super(`cannot send to ${peerKey}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CoapSendError';
    this.peerKey = peerKey;
  }

  static override isInstance(value: unknown): value is CoapSendError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
