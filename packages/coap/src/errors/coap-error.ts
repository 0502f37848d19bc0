import type { CoapOption } from '@lwm2m-ts/codec';
import { CoapCode, formatCode } from '@lwm2m-ts/codec';

const marker = Symbol.for('lwm2m-ts.coap-error');

/**
 * A CoAP error response as an exception: a handler throws `CoapError.notFound()` and the
 * endpoint answers 4.04 with the message as diagnostic payload (RFC 7252 §5.5.2).
 */
export class CoapError extends Error {
  readonly [marker] = true;
  /** Response code byte (class << 5 | detail), e.g. 0x84 for 4.04. */
  readonly code: number;
  /** Extra options for the error response (e.g. Size1 on 4.13). */
  readonly options: readonly CoapOption[];

  constructor(code: number, message?: string, details: { options?: readonly CoapOption[]; cause?: unknown } = {}) {
    super(message ?? formatCode(code), details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'CoapError';
    this.code = code;
    this.options = details.options ?? [];
  }

  static isInstance(value: unknown): value is CoapError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  static badRequest = (message?: string) => new CoapError(CoapCode.BAD_REQUEST, message);
  static unauthorized = (message?: string) => new CoapError(CoapCode.UNAUTHORIZED, message);
  static badOption = (message?: string) => new CoapError(CoapCode.BAD_OPTION, message);
  static forbidden = (message?: string) => new CoapError(CoapCode.FORBIDDEN, message);
  static notFound = (message?: string) => new CoapError(CoapCode.NOT_FOUND, message);
  static methodNotAllowed = (message?: string) => new CoapError(CoapCode.METHOD_NOT_ALLOWED, message);
  static notAcceptable = (message?: string) => new CoapError(CoapCode.NOT_ACCEPTABLE, message);
  static requestEntityIncomplete = (message?: string) => new CoapError(CoapCode.REQUEST_ENTITY_INCOMPLETE, message);
  static conflict = (message?: string) => new CoapError(CoapCode.CONFLICT, message);
  static preconditionFailed = (message?: string) => new CoapError(CoapCode.PRECONDITION_FAILED, message);
  static requestEntityTooLarge = (message?: string) => new CoapError(CoapCode.REQUEST_ENTITY_TOO_LARGE, message);
  static unsupportedContentFormat = (message?: string) => new CoapError(CoapCode.UNSUPPORTED_CONTENT_FORMAT, message);
  static unprocessableEntity = (message?: string) => new CoapError(CoapCode.UNPROCESSABLE_ENTITY, message);
  static tooManyRequests = (message?: string) => new CoapError(CoapCode.TOO_MANY_REQUESTS, message);
  static internalServerError = (message?: string) => new CoapError(CoapCode.INTERNAL_SERVER_ERROR, message);
  static notImplemented = (message?: string) => new CoapError(CoapCode.NOT_IMPLEMENTED, message);
  static serviceUnavailable = (message?: string) => new CoapError(CoapCode.SERVICE_UNAVAILABLE, message);
  static gatewayTimeout = (message?: string) => new CoapError(CoapCode.GATEWAY_TIMEOUT, message);
}
