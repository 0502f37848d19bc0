/**
 * How failures reach HTTP: every error answer is `{ error, message, coapCode? }` with a status
 * that says what happened (unknown client 404, sleeping client 409 with the queued request id,
 * device timeout 504, bad input 400, a device's own error code mapped to its HTTP twin).
 */
import { CodecError } from '@lwm2m-ts/codec';
import {
  ClientSleepingError,
  InvalidBootstrapConfigError,
  InvalidRequestError,
  type LwM2mResponse,
  RequestTimeoutError,
  responseCodeName,
  SecurityInfoConflictError,
  UnknownEndpointError,
} from '@lwm2m-ts/server';
import { NodeJsonError } from './node-json';

export interface ErrorBody {
  error: string;
  message: string;
  coapCode?: string;
  queuedRequestId?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'HttpError';
  }
  static badRequest(message: string) {
    return new HttpError(400, { error: 'bad-request', message });
  }
  static notFound(message: string) {
    return new HttpError(404, { error: 'not-found', message });
  }
}

/** The HTTP status a device's LwM2M error code stands for (5.xx from a device is a bad gateway). */
export function httpStatusOfCoapCode(code: string): number {
  const [cls, detail] = code.split('.').map(Number) as [number, number];
  if (cls === 4) {
    const status = 400 + detail;
    return [400, 401, 402, 403, 404, 405, 406, 408, 409, 412, 413, 415, 422].includes(status) ? status : 400;
  }
  if (cls === 5) return code === '5.04' ? 504 : 502;
  return 200;
}

/** A device answered with an error code: the HTTP answer mirrors it. */
export function deviceFailure(response: LwM2mResponse, operation: string): HttpError {
  const name = responseCodeName(response.code);
  const why = response.diagnostic ? `: ${response.diagnostic}` : '';
  return new HttpError(httpStatusOfCoapCode(response.code), {
    error: 'device-error',
    message: `${operation} failed on the device with ${response.code} ${name}${why}`,
    coapCode: response.code,
  });
}

/** Maps any thrown value to an HTTP error (unknown ones become 500 and are logged by the caller). */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (UnknownEndpointError.isInstance(error)) {
    return new HttpError(404, { error: 'unknown-client', message: error.message });
  }
  if (ClientSleepingError.isInstance(error)) {
    return new HttpError(409, {
      error: 'client-sleeping',
      message: `${error.message}; it is sent when the client wakes up (see GET /api/clients/${encodeURIComponent(error.endpoint)}/queue)`,
      queuedRequestId: error.queuedRequestId,
    });
  }
  if (RequestTimeoutError.isInstance(error)) {
    return new HttpError(504, { error: 'timeout', message: error.message, coapCode: '5.04' });
  }
  if (
    InvalidRequestError.isInstance(error) ||
    error instanceof NodeJsonError ||
    error instanceof InvalidBootstrapConfigError ||
    CodecError.isInstance(error) ||
    error instanceof RangeError
  ) {
    return HttpError.badRequest((error as Error).message);
  }
  if (error instanceof SecurityInfoConflictError)
    return new HttpError(409, { error: 'conflict', message: error.message });
  return undefined;
}

export const errorBodySchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    coapCode: { type: 'string' },
    queuedRequestId: { type: 'string' },
  },
  required: ['error', 'message'],
} as const;
