const marker = Symbol.for('lwm2m-ts.server.unknown-endpoint-error');

/** No registration exists for this endpoint name (never registered, de-registered or expired). */
export class UnknownEndpointError extends Error {
  readonly [marker] = true;
  constructor(readonly endpoint: string) {
    super(`no registration for endpoint "${endpoint}"`);
    this.name = 'UnknownEndpointError';
  }
  static isInstance(value: unknown): value is UnknownEndpointError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
