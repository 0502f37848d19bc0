const marker = Symbol.for('lwm2m-ts.coap-closed-error');

/** The exchange ended without a response: endpoint closed, connection closed, or request cancelled. */
export class CoapClosedError extends Error {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoapClosedError';
  }

  static isInstance(value: unknown): value is CoapClosedError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
