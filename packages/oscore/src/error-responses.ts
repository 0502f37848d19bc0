/** Responses a server sends when OSCORE processing fails (RFC 8613 §7.4, §8.2, Appendix B.1.2). */

import { randomBytes } from 'node:crypto';
import { CoapCode, type CoapMessage, createMessage, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import type { OscoreError } from './oscore-error';
import { protectResponse } from './protect-response';
import type { RequestBinding } from './request-binding';

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * The unprotected error response for a failed request verification: code from the error, Outer
 * Max-Age 0 (so OSCORE-unaware proxies do not cache it, §4.1.3.1) and the §8.2 diagnostic.
 * Piggybacked (ACK, same Message ID) for a CON request; for a NON request a NON whose Message ID
 * (0 here) the messaging layer must assign.
 */
export function oscoreErrorResponse(request: CoapMessage, error: OscoreError): CoapMessage {
  const con = request.type === MessageType.CON;
  return createMessage({
    type: con ? MessageType.ACK : MessageType.NON,
    messageId: con ? request.messageId : 0,
    token: request.token,
    code: error.responseCode || CoapCode.BAD_REQUEST,
    options: [{ number: OptionNumber.MAX_AGE, value: EMPTY }],
    payload: error.diagnostic ? utf8.encode(error.diagnostic) : EMPTY,
  });
}

/**
 * Appendix B.1.2: the protected 4.01 carrying only an Echo option, with the server's own Partial
 * IV. The client repeats its request with that Echo inside; its Partial IV then becomes the lower
 * limit of the replay window. Issues (and remembers) a random Echo value, reused until it is answered.
 */
export function createEchoChallenge(request: CoapMessage, binding: RequestBinding): CoapMessage {
  const ctx = binding.context;
  // One outstanding value per context: a replayed request arriving between the challenge and the
  // client's retry must not invalidate the Echo the client is about to send back.
  const echo = ctx.pendingEcho ?? (ctx.random ? ctx.random(8) : new Uint8Array(randomBytes(8)));
  ctx.pendingEcho = echo;
  const con = request.type === MessageType.CON;
  const plain = createMessage({
    type: con ? MessageType.ACK : MessageType.NON,
    messageId: con ? request.messageId : 0,
    token: request.token,
    code: CoapCode.UNAUTHORIZED,
    options: [{ number: OptionNumber.ECHO, value: echo }],
  });
  return protectResponse(binding, plain, { partialIv: true });
}
