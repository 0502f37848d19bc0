/**
 * OSCORE as an Endpoint layer (`new Endpoint({ transport, layers: [createOscoreLayer(...)] })`).
 * It sits below block-wise and observe, so every block and every notification is its own OSCORE
 * message (Inner block-wise, RFC 8613 §4.1.3.4.1) and retransmissions reuse the protected bytes.
 *
 * Server: verifies requests, answers failures unprotected (4.00 / 4.01 / 4.02, Outer Max-Age 0,
 * RFC 8613 §8.2 diagnostics), sets `peer.identity = { kind: 'oscore', recipientId, idContext }`,
 * and protects the responses and notifications of that exchange.
 * Client: protects requests to peers that have a context and verifies their responses; an
 * unprotected or unverifiable response fails the request with CoapError(code).
 */
import type { LayerContext, LayerOutcome, MessageLayer, Peer } from '@lwm2m-ts/coap';
import { CoapCode, type CoapMessage, isResponseCode, OptionNumber } from '@lwm2m-ts/codec';
import { SecurityContextRegistry } from './context-registry';
import type { OscoreError } from './oscore-error';
import { isOscoreMessage, protectRequest, unprotectRequest } from './protect-request';
import { protectResponse, unprotectResponse } from './protect-response';
import type { RequestBinding } from './request-binding';
import { SecurityContext } from './security-context';

export interface OscoreLayerOptions {
  /** Contexts for verifying requests (by 'kid') and, by default, protecting our requests. */
  readonly contexts: SecurityContext | SecurityContextRegistry | readonly SecurityContext[];
  /**
   * The context for our requests to `peer` (undefined: send unprotected). Default: the only
   * context when exactly one is configured, else none.
   */
  readonly clientContext?: (peer: Peer, request: CoapMessage) => SecurityContext | undefined;
  /** Refuse requests without the OSCORE option with 4.01 (default true). */
  readonly requireOscore?: boolean;
  /** Called for every refused message (logging, metrics). */
  readonly onFailure?: (error: OscoreError, peer: Peer, role: 'client' | 'server') => void;
}

/** Per-exchange state in LayerContext.state. */
const BINDING = Symbol('oscore.binding');
const OBSERVE_BINDING = Symbol('oscore.observe-binding');

const utf8 = new TextDecoder();
const MAX_AGE_ZERO = [{ number: OptionNumber.MAX_AGE, value: new Uint8Array(0) }] as const;

export function createOscoreLayer(options: OscoreLayerOptions): MessageLayer {
  const registry =
    options.contexts instanceof SecurityContextRegistry
      ? options.contexts
      : new SecurityContextRegistry(
          options.contexts instanceof SecurityContext ? [options.contexts] : options.contexts,
        );
  const requireOscore = options.requireOscore ?? true;
  const clientContext =
    options.clientContext ??
    ((): SecurityContext | undefined => {
      if (registry.size !== 1) return undefined;
      for (const c of registry) return c;
      return undefined;
    });
  const report = (e: OscoreError, peer: Peer, role: 'client' | 'server') => options.onFailure?.(e, peer, role);

  return {
    name: 'oscore',

    sendRequest(message: CoapMessage, ctx: LayerContext): CoapMessage {
      const context = clientContext(ctx.peer, message);
      if (!context) return message;
      const { message: protectedMessage, binding } = protectRequest(context, message);
      ctx.state.set(BINDING, binding);
      if (binding.observe) ctx.state.set(OBSERVE_BINDING, binding);
      return protectedMessage;
    },

    receiveResponse(message: CoapMessage, ctx: LayerContext): LayerOutcome {
      const latest = ctx.state.get(BINDING) as RequestBinding | undefined;
      if (!latest) return message; // we did not protect this request
      if (!isOscoreMessage(message)) {
        // An unprotected answer to a protected request: an OSCORE error from the server (or forged).
        const diagnostic = message.payload.length ? `: ${utf8.decode(message.payload)}` : '';
        return {
          reject: isResponseCode(message.code) ? message.code : CoapCode.BAD_GATEWAY,
          diagnostic: `unprotected response to an OSCORE request${diagnostic}`,
        };
      }
      // A notification may answer an earlier registration than the latest request (e.g. a Block2 fetch).
      const observeBinding = ctx.state.get(OBSERVE_BINDING) as RequestBinding | undefined;
      const candidates = observeBinding && observeBinding !== latest ? [latest, observeBinding] : [latest];
      let error: OscoreError | undefined;
      for (const binding of candidates) {
        const r = unprotectResponse(binding, message);
        if (r.ok) {
          ctx.peer = withIdentity(ctx.peer, binding.context);
          return r.response;
        }
        error ??= r.error;
      }
      report(error!, ctx.peer, 'client');
      return { reject: CoapCode.BAD_GATEWAY, diagnostic: `OSCORE response verification failed: ${error!.message}` };
    },

    receiveRequest(message: CoapMessage, ctx: LayerContext): LayerOutcome {
      if (!isOscoreMessage(message)) {
        if (!requireOscore) return message;
        return { reject: CoapCode.UNAUTHORIZED, diagnostic: 'OSCORE required', options: MAX_AGE_ZERO };
      }
      const r = unprotectRequest(registry, message);
      if (!r.ok) {
        report(r.error, ctx.peer, 'server');
        // Appendix B.1.2's protected Echo challenge cannot travel as a LayerRejection (sent
        // unprotected, bypassing layers): answer 4.01 with a diagnostic instead.
        const diagnostic =
          r.error.kind === 'echo-required' ? 'Replay window not initialized' : r.error.diagnostic || r.error.message;
        return { reject: r.error.responseCode || CoapCode.BAD_REQUEST, diagnostic, options: MAX_AGE_ZERO };
      }
      ctx.state.set(BINDING, r.binding);
      ctx.peer = withIdentity(ctx.peer, r.binding.context);
      return r.request;
    },

    sendResponse(message: CoapMessage, ctx: LayerContext): CoapMessage {
      const binding = ctx.state.get(BINDING) as RequestBinding | undefined;
      if (!binding) return message; // answering an unprotected request (requireOscore: false)
      return protectResponse(binding, message);
    },
  };
}

function withIdentity(peer: Peer, context: SecurityContext): Peer {
  return {
    ...peer,
    identity: {
      kind: 'oscore',
      recipientId: context.recipientId,
      ...(context.idContext ? { idContext: context.idContext } : {}),
    },
  };
}
