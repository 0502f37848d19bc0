/**
 * The public seam for extra per-message layers (e.g. OSCORE, RFC 8613). A layer sits between
 * block-wise transfer and the message layer (reliability / RFC 8323 signaling): it sees every
 * request and response message on the wire side of block-wise (so each block and each
 * notification), before retransmission and deduplication (so retransmissions are byte-identical
 * and duplicates are answered from the stored, already transformed, response).
 */
import type { CoapMessage, CoapOption } from '@lwm2m-ts/codec';
import type { Peer } from './transport';

export interface LayerContext {
  /**
   * The peer as the transport authenticated it. A receive hook may replace it, e.g. with the
   * OSCORE identity; the request handler then sees that peer.
   */
  peer: Peer;
  /** 'client': our request and its response(s); 'server': a peer's request and our response(s). */
  readonly role: 'client' | 'server';
  /**
   * Scratch space of one exchange, shared by the request and all its responses (incl. every
   * block and every notification of an observation). Key it by a symbol of your own.
   */
  readonly state: Map<unknown, unknown>;
}

/** Returned by a receive hook to refuse a message: the engine answers (server) or fails the request (client). */
export interface LayerRejection {
  readonly reject: number;
  readonly diagnostic?: string;
  readonly options?: readonly CoapOption[];
  /**
   * Server: the complete answer to send instead of one built from `reject`/`diagnostic`/`options`,
   * e.g. OSCORE's protected 4.01 + Echo (RFC 8613 Appendix B.1.2). Sent as is below every layer
   * (the message layer sets type and message id; the token is the request's). Ignored on the client.
   */
  readonly message?: CoapMessage;
}

/**
 * Returned by `receiveResponse` to send the exchange's request again instead of accepting this
 * response (e.g. with the Echo option the response asked for, RFC 9175 / RFC 8613 B.1.2). The
 * message passes the returning layer's `sendRequest` and those below it, on the same token; the
 * layers above never see the response that caused it. The layer bounds its own retries.
 */
export interface LayerRetry {
  readonly retry: CoapMessage;
}

export type LayerOutcome = CoapMessage | LayerRejection | LayerRetry;

export interface MessageLayer {
  readonly name: string;
  /** Our outgoing request (each block). */
  sendRequest?(message: CoapMessage, ctx: LayerContext): CoapMessage | Promise<CoapMessage>;
  /** A peer's incoming request. Reject to answer with a code (sent without passing layers). */
  receiveRequest?(message: CoapMessage, ctx: LayerContext): LayerOutcome | Promise<LayerOutcome>;
  /** Our outgoing response (each block, each notification). */
  sendResponse?(message: CoapMessage, ctx: LayerContext): CoapMessage | Promise<CoapMessage>;
  /** An incoming response to our request. Reject to fail the request with a CoapError. */
  receiveResponse?(message: CoapMessage, ctx: LayerContext): LayerOutcome | Promise<LayerOutcome>;
}

/** Alias: a layer of the endpoint's stack. */
export type Layer = MessageLayer;

export const isLayerRejection = (value: LayerOutcome): value is LayerRejection =>
  (value as Partial<LayerRejection>).reject !== undefined;

export const isLayerRetry = (value: LayerOutcome): value is LayerRetry =>
  (value as Partial<LayerRetry>).retry !== undefined;

/** A retry as `runReceiveHooks` reports it: with the index of the layer that asked for it. */
export interface PendingRetry extends LayerRetry {
  readonly layerIndex: number;
}

export const createLayerContext = (peer: Peer, role: 'client' | 'server'): LayerContext => ({
  peer,
  role,
  state: new Map(),
});

/** Layers are listed top (application side) to bottom (wire side); `from` skips the ones above it. */
export async function runSendHooks(
  layers: readonly MessageLayer[],
  hook: 'sendRequest' | 'sendResponse',
  message: CoapMessage,
  ctx: LayerContext,
  from = 0,
): Promise<CoapMessage> {
  let m = message;
  for (let i = from; i < layers.length; i++) {
    const fn = layers[i]![hook];
    if (fn) m = await fn.call(layers[i], m, ctx);
  }
  return m;
}

/**
 * `runSendHooks` without a promise per hook: synchronous while every hook answers synchronously
 * (OSCORE does), a promise from the first hook that returns one. May throw synchronously.
 */
export function sendThroughLayers(
  layers: readonly MessageLayer[],
  hook: 'sendRequest' | 'sendResponse',
  message: CoapMessage,
  ctx: LayerContext,
  from = 0,
): CoapMessage | Promise<CoapMessage> {
  let m = message;
  for (let i = from; i < layers.length; i++) {
    const fn = layers[i]![hook];
    if (!fn) continue;
    const out = fn.call(layers[i], m, ctx);
    if (out instanceof Promise) return out.then((next) => runSendHooks(layers, hook, next, ctx, i + 1));
    m = out;
  }
  return m;
}

type ReceiveResult = CoapMessage | LayerRejection | PendingRetry;

/**
 * `runReceiveHooks` without a promise per hook: synchronous while every hook answers
 * synchronously, a promise from the first hook that returns one. May throw synchronously.
 */
export function receiveThroughLayers(
  layers: readonly MessageLayer[],
  hook: 'receiveRequest' | 'receiveResponse',
  message: CoapMessage,
  ctx: LayerContext,
  from = layers.length - 1,
): ReceiveResult | Promise<ReceiveResult> {
  let m: CoapMessage = message;
  for (let i = from; i >= 0; i--) {
    const fn = layers[i]![hook];
    if (!fn) continue;
    const out = fn.call(layers[i], m, ctx);
    if (out instanceof Promise) {
      return out.then((o) => {
        if (isLayerRejection(o)) return o;
        if (isLayerRetry(o)) return { retry: o.retry, layerIndex: i };
        return receiveThroughLayers(layers, hook, o, ctx, i - 1);
      });
    }
    if (isLayerRejection(out)) return out;
    if (isLayerRetry(out)) return { retry: out.retry, layerIndex: i };
    m = out;
  }
  return m;
}

export async function runReceiveHooks(
  layers: readonly MessageLayer[],
  hook: 'receiveRequest' | 'receiveResponse',
  message: CoapMessage,
  ctx: LayerContext,
): Promise<CoapMessage | LayerRejection | PendingRetry> {
  let m: CoapMessage = message;
  for (let i = layers.length - 1; i >= 0; i--) {
    const fn = layers[i]![hook];
    if (!fn) continue;
    const out = await fn.call(layers[i], m, ctx);
    if (isLayerRejection(out)) return out;
    if (isLayerRetry(out)) return { retry: out.retry, layerIndex: i };
    m = out;
  }
  return m;
}
