const marker = Symbol.for('lwm2m-ts.codec-error');

/**
 * Thrown by every decoder on malformed input. Carries what was wrong and where, so a server can
 * answer 4.00 (or 4.02 for a bad option) with a useful diagnostic payload and carry on.
 */
export class CodecError extends Error {
  readonly [marker] = true;
  /** Byte offset (binary formats) or character offset (text formats) where decoding failed, if known. */
  readonly offset: number | undefined;
  /** Path or field being decoded when it failed (e.g. "/3/0/1", "option 11"), if known. */
  readonly location: string | undefined;
  /** Suggested CoAP response code byte when this error reaches a server (0x80 = 4.00 by default). */
  readonly responseCode: number;

  constructor(
    message: string,
    details: { offset?: number; location?: string; responseCode?: number; cause?: unknown } = {},
  ) {
    const where = [details.location, details.offset !== undefined ? `offset ${details.offset}` : undefined]
      .filter(Boolean)
      .join(', ');
    super(
      where ? `${message} (${where})` : message,
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
    this.name = 'CodecError';
    this.offset = details.offset;
    this.location = details.location;
    this.responseCode = details.responseCode ?? 0x80;
  }

  static isInstance(value: unknown): value is CodecError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
