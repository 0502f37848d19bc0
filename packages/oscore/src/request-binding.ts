/**
 * The request-response binding (RFC 8613 §7.1, §8): what both ends keep per request to protect or
 * verify its response(s): security context, request 'kid' and Partial IV (the response AAD),
 * the request nonce, and the Observe bookkeeping (§4.1.3.5.2, §7.4.1).
 *
 * State only changes after a message was fully verified/protected.
 */
import { computeAad } from './aad';
import type { SecurityContext } from './security-context';

export class RequestBinding {
  /** Server: a response without Partial IV was sent (nonce reuse is then forbidden). Client: one was accepted. */
  requestNonceUsed = false;
  /** Server: responses protected so far. */
  responsesSent = 0;
  /** Client: largest Partial IV of accepted notifications (the Notification Number). */
  notificationNumber: number | undefined = undefined;
  /** Client: a final (non-notification) response was accepted; further responses are rejected. */
  completed = false;
  /** The AAD of the request, which is also the AAD of every response to it (§5.4): built once. */
  readonly aad: Uint8Array;

  constructor(
    readonly context: SecurityContext,
    /** 'kid' of the request = the client's Sender ID. */
    readonly requestKid: Uint8Array,
    readonly requestPiv: Uint8Array,
    readonly requestNonce: Uint8Array,
    /** The request was an Observe registration (Inner Observe 0). */
    readonly observe: boolean,
    /** The request's AAD when the caller already computed it. */
    aad?: Uint8Array,
  ) {
    this.aad = aad ?? computeAad(context.algorithm, requestKid, requestPiv);
  }
}
