/**
 * Runs resource handlers: route lookup (4.04), method dispatch (4.05), /.well-known/core, and
 * error mapping — CoapError -> its code, CodecError -> 4.00/4.02, anything else -> 5.00. A
 * handler can never crash the endpoint.
 */
import { CoapCode, type CoapMessage, CodecError, encodeUtf8 } from '@lwm2m-ts/codec';
import { CoapError } from '../errors/coap-error';
import { defaultSuccessCode } from '../method';
import type { IncomingRequest } from '../request';
import { buildResponseMessage } from '../response';
import type { Handler, HandlerResult, Route, Router } from './router';
import { wellKnownCore } from './well-known-core';

export interface Resolution {
  readonly route: Route | undefined;
  readonly handler: Handler;
}

const WELL_KNOWN = ['.well-known', 'core'] as const;
const isWellKnownCore = (path: readonly string[]) =>
  path.length === 2 && path[0] === WELL_KNOWN[0] && path[1] === WELL_KNOWN[1];

export class Dispatcher {
  private readonly wellKnownHandler: Handler;

  constructor(
    private readonly router: Router,
    private readonly reportError: (error: unknown, where: string) => void,
  ) {
    this.wellKnownHandler = (req) => wellKnownCore(this.router, req.query);
  }

  /** Finds the handler for a request, or the error response to send instead. */
  resolve(req: IncomingRequest): Resolution | CoapMessage {
    const match = this.router.match(req.path);
    // The generated /.well-known/core yields only to a route registered at exactly that path
    // (not to a catch-all pattern).
    if (req.code === CoapCode.GET && isWellKnownCore(req.path) && match?.route.path !== '/.well-known/core') {
      return { route: undefined, handler: this.wellKnownHandler };
    }
    if (!match) return errorMessage(req.message.token, CoapCode.NOT_FOUND);
    const handler = req.method && match.route.handlers.get(req.method);
    if (!handler) return errorMessage(req.message.token, CoapCode.METHOD_NOT_ALLOWED);
    req.params = match.params;
    return { route: match.route, handler };
  }

  /** Runs the handler; synchronous handlers give a synchronous answer (no promise on the hot path). */
  invoke(handler: Handler, req: IncomingRequest): CoapMessage | Promise<CoapMessage> {
    let result: ReturnType<Handler>;
    try {
      result = handler(req);
    } catch (e) {
      return this.errorResponse(req, e);
    }
    if (result instanceof Promise) {
      return result.then(
        (init) => this.success(req, init),
        (e: unknown) => this.errorResponse(req, e),
      );
    }
    return this.success(req, result);
  }

  private success(req: IncomingRequest, init: HandlerResult): CoapMessage {
    try {
      const i = init ?? {};
      return buildResponseMessage(req.message.token, i.code ?? defaultSuccessCode(req.code), i);
    } catch (e) {
      return this.errorResponse(req, e);
    }
  }

  /** The response for a thrown value. */
  errorResponse(req: IncomingRequest, error: unknown): CoapMessage {
    const token = req.message.token;
    if (CoapError.isInstance(error)) {
      const diagnostic = error.message === '' ? undefined : error.message;
      return buildResponseMessage(token, error.code, {
        ...(diagnostic !== undefined && diagnostic !== formatDefault(error.code) ? { payload: diagnostic } : {}),
        options: error.options,
      });
    }
    if (CodecError.isInstance(error)) {
      const code = error.responseCode === CoapCode.BAD_OPTION ? CoapCode.BAD_OPTION : CoapCode.BAD_REQUEST;
      return errorMessage(token, code, error.message);
    }
    this.reportError(error, `handler for ${req.method ?? req.code} /${req.path.join('/')}`);
    return errorMessage(token, CoapCode.INTERNAL_SERVER_ERROR, 'internal server error');
  }
}

const formatDefault = (code: number) => `${code >> 5}.${(code & 0x1f).toString().padStart(2, '0')}`;

/** An error response with an optional diagnostic payload (RFC 7252 §5.5.2). */
export function errorMessage(token: Uint8Array, code: number, diagnostic?: string): CoapMessage {
  return buildResponseMessage(token, code, diagnostic ? { payload: encodeUtf8(diagnostic) } : {});
}
