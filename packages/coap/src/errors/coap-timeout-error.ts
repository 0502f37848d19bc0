const marker = Symbol.for('lwm2m-ts.coap-timeout-error');

/** A request got no response in time: its CON was never acknowledged, or no response followed. */
export class CoapTimeoutError extends Error {
  readonly [marker] = true;
  /** Peer key the request was sent to. */
  readonly peerKey: string;

  constructor(message: string, peerKey: string) {
    super(message);
    this.name = 'CoapTimeoutError';
    this.peerKey = peerKey;
  }

  static isInstance(value: unknown): value is CoapTimeoutError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
