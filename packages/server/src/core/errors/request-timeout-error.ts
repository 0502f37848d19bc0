const marker = Symbol.for('lwm2m-ts.server.request-timeout-error');

/** The device did not answer a downlink request in time (after CoAP retransmissions). */
export class RequestTimeoutError extends Error {
  readonly [marker] = true;
  constructor(
    readonly endpoint: string,
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${operation} to "${endpoint}" timed out after ${timeoutMs} ms`, options);
    this.name = 'RequestTimeoutError';
  }
  static isInstance(value: unknown): value is RequestTimeoutError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
