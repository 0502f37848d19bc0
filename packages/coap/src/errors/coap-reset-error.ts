const marker = Symbol.for('lwm2m-ts.coap-reset-error');

/** The peer rejected our message with RST (RFC 7252 §4.2), or aborted the connection (RFC 8323 §5.6). */
export class CoapResetError extends Error {
  readonly [marker] = true;
  readonly peerKey: string;

  constructor(message: string, peerKey: string) {
    super(message);
    this.name = 'CoapResetError';
    this.peerKey = peerKey;
  }

  static isInstance(value: unknown): value is CoapResetError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
