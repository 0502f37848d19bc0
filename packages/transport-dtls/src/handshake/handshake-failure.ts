const MARKER = Symbol.for('@lwm2m-ts/transport-dtls/HandshakeFailure');

/** A handshake cannot go on; `alert` is the fatal alert description sent to the peer. */
export class HandshakeFailure extends Error {
  override readonly name = 'HandshakeFailure';
  readonly [MARKER] = true;

  constructor(
    readonly alert: number,
    message: string,
  ) {
    super(message);
  }

  static isInstance(e: unknown): e is HandshakeFailure {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}
