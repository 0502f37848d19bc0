/**
 * OSCORE as an Endpoint layer (`new Endpoint({ transport, layers: [createOscoreLayer(...)] })`).
 * It sits below block-wise and observe, so every block and every notification is its own OSCORE
 * message (Inner block-wise, RFC 8613 §4.1.3.4.1) and retransmissions reuse the protected bytes.
 *
 * Server: verifies requests, answers failures unprotected (4.00 / 4.01 / 4.02, Outer Max-Age 0,
 * RFC 8613 §8.2 diagnostics), sets `peer.identity = { kind: 'oscore', recipientId, idContext }`,
 * and protects the responses and notifications of that exchange. A restarted context (replay
 * window lost) answers with the protected 4.01 + Echo of Appendix B.1.2; with a
 * `rederivationServer`, requests no context verifies may establish one (Appendix B.2).
 * Client: protects requests to peers that have a context and verifies their responses; an
 * unprotected or unverifiable response fails the request with CoapError(code). A protected
 * 4.01 + Echo is answered by repeating the request once with that Echo (B.1.2), and with a
 * `rederivationClient` a first contact runs Appendix B.2; both stay invisible to the caller.
 */
import type { LayerContext, LayerOutcome, MessageLayer, Peer, PeerIdentity } from '@lwm2m-ts/coap';
import { CoapCode, type CoapMessage, createOption, getOption, isResponseCode, OptionNumber } from '@lwm2m-ts/codec';
import { SecurityContextRegistry } from './context-registry';
import { createEchoChallenge } from './error-responses';
import type { IdContextRederivationClient, IdContextRederivationServer } from './id-context-rederivation';
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
  /**
   * Client, Appendix B.1.2: repeat a request answered with a protected 4.01 + Echo once, with
   * that Echo (default true). The caller sees only the answer to the repeated request.
   */
  readonly answerEcho?: boolean;
  /**
   * Server, Appendix B.2: requests for which no context is found go to this (built on the same
   * registry as `contexts`), which answers the protected 4.01 with R2 or establishes ID3.
   */
  readonly rederivationServer?: IdContextRederivationServer;
  /**
   * Client, Appendix B.2: for a peer that has one, the first request uses a fresh ID Context
   * (R1); the server's challenge yields ID3, the request is repeated under it, and ID3 protects
   * every later request to that peer (kept per peer key, in memory).
   */
  readonly rederivationClient?: (peer: Peer) => IdContextRederivationClient | undefined;
}

/** Per-exchange state in LayerContext.state. */
const BINDING = Symbol('oscore.binding');
const OBSERVE_BINDING = Symbol('oscore.observe-binding');
/** The latest request as the layers above gave it (unprotected), to repeat it. */
const REQUEST = Symbol('oscore.request');

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
  const clientContext = options.clientContext ?? ((): SecurityContext | undefined => registry.only());
  const report = (e: OscoreError, peer: Peer, role: 'client' | 'server') => options.onFailure?.(e, peer, role);
  const answerEcho = options.answerEcho ?? true;
  const withIdentity = identityCache();
  /** B.2 client: ID3 per peer once established; R1 contexts waiting for the server's challenge. */
  const rederived = new Map<string, SecurityContext>();
  const rederiving = new Map<string, { client: IdContextRederivationClient; first: SecurityContext }>();

  const contextFor = (peer: Peer, message: CoapMessage): SecurityContext | undefined => {
    const established = rederived.get(peer.key);
    if (established) return established;
    const pending = rederiving.get(peer.key);
    if (pending) return pending.first;
    const client = options.rederivationClient?.(peer);
    if (client) {
      const first = client.start();
      rederiving.set(peer.key, { client, first });
      return first;
    }
    return clientContext(peer, message);
  };

  /** B.2 step 3: the 4.01 protected under R2 || R1 answers a request protected with R1. */
  const acceptRederivation = (message: CoapMessage, ctx: LayerContext, binding: RequestBinding): boolean => {
    const pending = rederiving.get(ctx.peer.key);
    if (!pending || pending.first !== binding.context) return false;
    const accepted = pending.client.acceptChallenge(binding, message);
    if (!accepted.ok) return false;
    rederiving.delete(ctx.peer.key);
    rederived.set(ctx.peer.key, accepted.context);
    return true;
  };

  return {
    name: 'oscore',

    sendRequest(message: CoapMessage, ctx: LayerContext): CoapMessage {
      const context = contextFor(ctx.peer, message);
      if (!context) return message;
      ctx.state.set(REQUEST, message);
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
      const request = ctx.state.get(REQUEST) as CoapMessage;
      // B.2: the server's challenge; repeat the request under the ID Context it yields.
      if (acceptRederivation(message, ctx, latest)) return { retry: request };
      // A notification may answer an earlier registration than the latest request (e.g. a Block2 fetch).
      const observeBinding = ctx.state.get(OBSERVE_BINDING) as RequestBinding | undefined;
      const candidates = observeBinding && observeBinding !== latest ? [latest, observeBinding] : [latest];
      let error: OscoreError | undefined;
      for (const binding of candidates) {
        const r = unprotectResponse(binding, message);
        if (r.ok) {
          // B.1.2: a restarted server asks for proof of freshness; answer once per request message.
          const echo = r.response.code === CoapCode.UNAUTHORIZED ? getOption(r.response, OptionNumber.ECHO) : undefined;
          if (answerEcho && echo && binding === latest && getOption(request, OptionNumber.ECHO) === undefined) {
            return { retry: withEcho(request, echo) };
          }
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
        if (r.error.kind === 'echo-required' && r.binding) {
          // B.1.2: the protected 4.01 + Echo, with our own Partial IV (resumed past the stored one).
          return { reject: CoapCode.UNAUTHORIZED, message: createEchoChallenge(message, r.binding) };
        }
        if (r.error.kind === 'context-not-found' && options.rederivationServer) {
          const b2 = options.rederivationServer.handle(message);
          if (b2.kind === 'challenge') return { reject: CoapCode.UNAUTHORIZED, message: b2.response };
          if (b2.kind === 'established') {
            ctx.state.set(BINDING, b2.binding);
            ctx.peer = withIdentity(ctx.peer, b2.context);
            return b2.request;
          }
        }
        const diagnostic = r.error.diagnostic || r.error.message;
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

/** `withIdentity` of one layer: one identity object per context, shared by every request it verifies. */
function identityCache(): (peer: Peer, context: SecurityContext) => Peer {
  const identities = new WeakMap<SecurityContext, PeerIdentity>();
  return (peer, context) => {
    let identity = identities.get(context);
    if (!identity) {
      identity = {
        kind: 'oscore',
        recipientId: context.recipientId,
        ...(context.idContext ? { idContext: context.idContext } : {}),
      };
      identities.set(context, identity);
    }
    // Built field by field (a spread of the peer costs more per request): Peer has these four.
    return { address: peer.address, port: peer.port, key: peer.key, identity };
  };
}

function withEcho(request: CoapMessage, echo: Uint8Array): CoapMessage {
  const options = request.options.filter((o) => o.number !== OptionNumber.ECHO);
  options.push(createOption(OptionNumber.ECHO, echo));
  options.sort((a, b) => a.number - b.number);
  return { ...request, options };
}
