/**
 * The request-response binding (RFC 8613 §7.1, §8): what both ends keep per request to protect or
 * verify its response(s): security context, request 'kid' and Partial IV (the response AAD),
 * the request nonce, and the Observe bookkeeping (§4.1.3.5.2, §7.4.1).
 *
 * State only changes after a message was fully verified/protected.
 */
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

  constructor(
    readonly context: SecurityContext,
    /** 'kid' of the request = the client's Sender ID. */
    readonly requestKid: Uint8Array,
    readonly requestPiv: Uint8Array,
    readonly requestNonce: Uint8Array,
    /** The request was an Observe registration (Inner Observe 0). */
    readonly observe: boolean,
  ) {}
}
