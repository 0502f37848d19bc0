/**
 * RFC 8613 Appendix B.2: deriving a fresh security context from the same Master Secret with a
 * random ID Context, after either side lost its mutable state (or on first contact).
 *
 *   client                                   server
 *   request #1, ID Context ID1 = R1  ------>  verify with ID1; R2 random; ctx2 = ID2 = R2 || ID1
 *            <------  4.01, kid context R2, protected with ctx2
 *   verify with ID2 = R2 || ID1; R3 random
 *   request #2, ID Context ID3 = R2 || R3 ->  R2 known: verify with ID3, install ID3 for this client
 *            <------  response #2 with ID3
 *
 * Pure message functions: the caller sends what they return. `createOscoreLayer` wires them into
 * an Endpoint (`rederivationServer`, `rederivationClient`).
 */

import { randomBytes } from 'node:crypto';
import { CoapCode, type CoapMessage, createMessage, MessageType } from '@lwm2m-ts/codec';
import { bytesEqual, concatBytes } from './bytes';
import type { SecurityContextRegistry } from './context-registry';
import { computeNonce } from './nonce';
import { OscoreError } from './oscore-error';
import { decodeOscoreOption } from './oscore-option';
import { getOscoreOption, type UnprotectRequestResult, unprotectRequest } from './protect-request';
import { protectResponse, type UnprotectResponseResult, unprotectResponse } from './protect-response';
import { RequestBinding } from './request-binding';
import { SecurityContext, type SecurityContextInput } from './security-context';

/** The pre-established inputs shared by client and server (everything but the ID Context). */
export type ContextTemplate = Omit<SecurityContextInput, 'idContext' | 'sendKidContext' | 'replayWindowLost'>;

type Random = (length: number) => Uint8Array;
const defaultRandom: Random = (n) => new Uint8Array(randomBytes(n));

const derive = (template: ContextTemplate, idContext: Uint8Array): SecurityContext =>
  new SecurityContext({ ...template, idContext, sendKidContext: true, replayWindowLost: false });

/** A binding for `context` to answer / verify the answer to the request of `binding` (same kid and Partial IV). */
const rebind = (binding: RequestBinding, context: SecurityContext): RequestBinding =>
  new RequestBinding(
    context,
    binding.requestKid,
    binding.requestPiv,
    computeNonce(context.commonIv, binding.requestKid, binding.requestPiv),
    false,
  );

export type RederivationServerResult =
  /** Request #1 verified: send `response` (protected 4.01 carrying R2). */
  | { readonly kind: 'challenge'; readonly response: CoapMessage }
  /** Request #2 verified: `context` (ID3) replaced the client's previous one; serve `request`, protect with `binding`. */
  | {
      readonly kind: 'established';
      readonly context: SecurityContext;
      readonly request: CoapMessage;
      readonly binding: RequestBinding;
    }
  /** Not a B.2 message, or verification failed: answer with `error` as usual. */
  | { readonly kind: 'failed'; readonly error: OscoreError };

export interface RederivationServerOptions {
  /** Server-side inputs (senderId = ours, recipientId = the client's) of clients allowed to re-derive. */
  readonly templates: readonly ContextTemplate[];
  /** Where established contexts are installed (and the client's previous one removed). */
  readonly registry: SecurityContextRegistry;
  readonly random?: Random;
  /** Length of R2 (default 8, the RFC's "typically at least 8 bytes"). */
  readonly nonceLength?: number;
  /** Outstanding R2 values kept (oldest dropped first; default 64), Appendix B.2.1. */
  readonly maxPending?: number;
}

/** Server side of Appendix B.2. Call `handle` for requests `unprotectRequest` found no context for. */
export class IdContextRederivationServer {
  private readonly pending: { r2: Uint8Array; template: ContextTemplate }[] = [];
  private readonly random: Random;
  private readonly nonceLength: number;
  private readonly maxPending: number;

  constructor(private readonly options: RederivationServerOptions) {
    this.random = options.random ?? defaultRandom;
    this.nonceLength = options.nonceLength ?? 8;
    this.maxPending = options.maxPending ?? 64;
  }

  handle(request: CoapMessage): RederivationServerResult {
    let header: ReturnType<typeof decodeOscoreOption>;
    try {
      const value = getOscoreOption(request);
      if (value === undefined) return { kind: 'failed', error: new OscoreError('not-protected') };
      header = decodeOscoreOption(value);
    } catch (err) {
      if (OscoreError.isInstance(err)) return { kind: 'failed', error: err };
      throw err;
    }
    const { kid, kidContext } = header;
    if (!kid || !kidContext) return { kind: 'failed', error: new OscoreError('context-not-found') };
    const templates = this.options.templates.filter((t) => bytesEqual(t.recipientId, kid));
    if (templates.length === 0) return { kind: 'failed', error: new OscoreError('context-not-found') };

    // Request #2: kid context = R2 || R3 for an R2 we issued to this client.
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (!templates.includes(p.template) || kidContext.length <= p.r2.length) continue;
      if (!bytesEqual(kidContext.subarray(0, p.r2.length), p.r2)) continue;
      const ctx3 = derive(p.template, kidContext);
      const r = unprotectRequest(ctx3, request);
      if (!r.ok) return { kind: 'failed', error: r.error };
      this.install(p.template, ctx3);
      return { kind: 'established', context: ctx3, request: r.request, binding: r.binding };
    }

    // Request #1: verify with ID1, answer with ID2 = R2 || ID1.
    let lastError: OscoreError = new OscoreError('decryption-failed');
    for (const template of templates) {
      const r: UnprotectRequestResult = unprotectRequest(derive(template, kidContext), request);
      if (!r.ok) {
        lastError = r.error;
        continue;
      }
      const r2 = this.random(this.nonceLength);
      const ctx2 = derive(template, concatBytes([r2, kidContext]));
      this.pending.push({ r2, template });
      if (this.pending.length > this.maxPending) this.pending.shift();
      const con = request.type === MessageType.CON;
      const unauthorized = createMessage({
        type: con ? MessageType.ACK : MessageType.NON,
        messageId: con ? request.messageId : 0,
        token: request.token,
        code: CoapCode.UNAUTHORIZED,
      });
      return {
        kind: 'challenge',
        response: protectResponse(rebind(r.binding, ctx2), unauthorized, { kidContext: r2 }),
      };
    }
    return { kind: 'failed', error: lastError };
  }

  /** Outstanding R2 values (for tests and monitoring). */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Installs `context`, removing every previous context of the same client (same template, any ID Context). */
  private install(template: ContextTemplate, context: SecurityContext): void {
    const registry = this.options.registry;
    for (const c of [...registry.resolve(template.recipientId, undefined)]) {
      if (c !== context && sameOrigin(template, c)) registry.remove(c);
    }
    registry.add(context);
    for (let i = this.pending.length - 1; i >= 0; i--)
      if (this.pending[i]!.template === template) this.pending.splice(i, 1);
  }
}

/** Whether `c` was derived from `template` (with whatever ID Context): re-derive and compare keys. */
function sameOrigin(template: ContextTemplate, c: SecurityContext): boolean {
  if (!bytesEqual(template.senderId, c.senderId) || !bytesEqual(template.recipientId, c.recipientId)) return false;
  const again = new SecurityContext({ ...template, ...(c.idContext ? { idContext: c.idContext } : {}) });
  return bytesEqual(again.recipientKey, c.recipientKey);
}

/** Client side of Appendix B.2. */
export class IdContextRederivationClient {
  private readonly random: Random;
  private readonly nonceLength: number;

  constructor(
    /** Client-side inputs (senderId = ours, recipientId = the server's). */
    private readonly template: ContextTemplate,
    options: { random?: Random; nonceLength?: number } = {},
  ) {
    this.random = options.random ?? defaultRandom;
    this.nonceLength = options.nonceLength ?? 8;
  }

  /** Step 1: a first context with a random ID Context R1; protect request #1 with it. */
  start(): SecurityContext {
    return derive(this.template, this.random(this.nonceLength));
  }

  /**
   * Step 3: verifies response #1 (to the request protected with `binding`) with ID2 = R2 || ID1
   * and returns the third context (ID3 = R2 || R3) to protect request #2 with.
   */
  acceptChallenge(
    binding: RequestBinding,
    response: CoapMessage,
  ): { readonly ok: true; readonly context: SecurityContext } | { readonly ok: false; readonly error: OscoreError } {
    const id1 = binding.context.idContext;
    let r2: Uint8Array | undefined;
    try {
      const value = getOscoreOption(response);
      r2 = value === undefined ? undefined : decodeOscoreOption(value).kidContext;
    } catch (err) {
      if (OscoreError.isInstance(err)) return { ok: false, error: err };
      throw err;
    }
    if (!id1 || !r2 || r2.length === 0) {
      return { ok: false, error: new OscoreError('unexpected-response', "response carries no 'kid context' (R2)") };
    }
    const ctx2 = derive(this.template, concatBytes([r2, id1]));
    const verified: UnprotectResponseResult = unprotectResponse(rebind(binding, ctx2), response);
    if (!verified.ok) return verified;
    if (verified.response.code !== CoapCode.UNAUTHORIZED) {
      return { ok: false, error: new OscoreError('unexpected-response', 'response #1 is not 4.01') };
    }
    return { ok: true, context: derive(this.template, concatBytes([r2, this.random(this.nonceLength)])) };
  }
}
