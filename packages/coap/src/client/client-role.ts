/**
 * The client role of an Endpoint: the requests we send and the observations we hold. It opens
 * client exchanges (fresh token, deadline), sends each request message down through the user
 * layers (e.g. OSCORE) to the message layer, takes each response up through them to block-wise
 * reassembly and the exchange's sink, and closes exchanges (response, failure, deregistration).
 * Observation adoption (cluster failover) lives in observation-adoption.ts.
 */
import { type CoapMessage, createOption, OptionNumber, parseCoapUri, uriToOptions } from '@lwm2m-ts/codec';
import type { BlockwiseLayer } from '../blockwise/blockwise-layer';
import type { Clock } from '../clock';
import type { DerivedTimes } from '../config';
import { CoapClosedError } from '../errors/coap-closed-error';
import { CoapError } from '../errors/coap-error';
import { CoapTimeoutError } from '../errors/coap-timeout-error';
import { ClientExchange, type ExchangeStore, type ResponseSink } from '../exchange';
import type { TokenGenerator } from '../ids';
import {
  createLayerContext,
  isLayerRejection,
  isLayerRetry,
  type MessageLayer,
  receiveThroughLayers,
  sendThroughLayers,
} from '../layer';
import type { Messenger } from '../messenger';
import { methodCode } from '../method';
import { Observation } from '../observe/observation';
import { CoapResponse } from '../response';
import type { Peer, Transport } from '../transport';
import { makePeer } from '../transport';
import {
  buildRequestMessage,
  type ObserveOptions,
  type PeerTarget,
  type RequestOptions,
  targetOptions,
} from './request-options';

export interface ClientRoleDeps {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly nextToken: TokenGenerator;
  readonly exchanges: ExchangeStore;
  readonly messenger: Messenger;
  readonly layers: readonly MessageLayer[];
  readonly blockwise: BlockwiseLayer;
  readonly times: DerivedTimes;
  readonly requestTimeoutMs: number;
  isClosed(): boolean;
}

export class ClientRole {
  private readonly clock: Clock;
  private readonly exchanges: ExchangeStore;
  private readonly messenger: Messenger;
  private readonly layers: readonly MessageLayer[];
  private readonly blockwise: BlockwiseLayer;
  readonly requestTimeoutMs: number;
  private readonly maxTransmitWaitMs: number;
  private readonly reliable: boolean;

  constructor(private readonly d: ClientRoleDeps) {
    this.clock = d.clock;
    this.exchanges = d.exchanges;
    this.messenger = d.messenger;
    this.layers = d.layers;
    this.blockwise = d.blockwise;
    this.requestTimeoutMs = d.requestTimeoutMs;
    this.maxTransmitWaitMs = d.times.maxTransmitWaitMs;
    this.reliable = d.transport.reliable;
  }

  /** `endpoint.request()`: the endpoint checked that it is open. */
  request(options: RequestOptions): Promise<CoapResponse> {
    let code: number;
    try {
      code = methodCode(options.method);
    } catch (e) {
      return Promise.reject(e);
    }
    const confirmable = options.confirmable ?? true;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    if ('peer' in options) {
      let message: CoapMessage;
      try {
        message = buildRequestMessage(code, this.freshToken(options.peer), targetOptions(options), options);
      } catch (e) {
        return Promise.reject(e);
      }
      return this.exchangeOnce(options.peer, message, confirmable, timeoutMs, options.block1Size, options.block2Size);
    }
    return this.resolveUri(options.uri).then(({ peer, uriOptions }) =>
      this.exchangeOnce(
        peer,
        buildRequestMessage(code, this.freshToken(peer), uriOptions, options),
        confirmable,
        timeoutMs,
        options.block1Size,
        options.block2Size,
      ),
    );
  }

  /** `endpoint.observe()`. */
  observe(options: ObserveOptions): Observation {
    const code = methodCode(options.method ?? 'GET');
    const observation = this.newObservation(options.bufferSize);
    const start = (peer: Peer, targetOpts: ReturnType<typeof targetOptions>) => {
      if (observation.isEnded || this.d.isClosed()) return; // cancelled while the URI was resolved
      let message: CoapMessage;
      try {
        message = buildRequestMessage(
          code,
          this.freshToken(peer),
          targetOpts,
          options,
          createOption(OptionNumber.OBSERVE, 0),
        );
      } catch (e) {
        observation.onError(undefined, e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const ex = this.openExchange(
        peer,
        message,
        options.confirmable ?? true,
        options.timeoutMs ?? this.requestTimeoutMs,
        observation,
      );
      ex.keepOpen = true;
      observation.attach(ex, message);
      this.blockwise.startRequest(ex, message, options.block1Size, options.block2Size);
    };
    if (this.d.isClosed()) observation.onError(undefined, new CoapClosedError('endpoint is closed'));
    else if ('peer' in options) start(options.peer, targetOptions(options as PeerTarget));
    else
      this.resolveUri(options.uri).then(
        ({ peer, uriOptions }) => start(peer, uriOptions),
        (e: unknown) => observation.onError(undefined, e instanceof Error ? e : new Error(String(e))),
      );
    return observation;
  }

  newObservation(bufferSize = 64): Observation {
    return new Observation(this.clock, bufferSize, {
      reregister: (ex, m) => this.sendRequestDown(ex, m),
      cancel: (ex, m) => this.deregister(ex, m),
      end: (ex) => this.finish(ex),
      completeNotification: (ex, reg, first) => this.blockwise.completeNotification(ex.peer, reg, first),
    });
  }

  exchangeOnce(
    peer: Peer,
    message: CoapMessage,
    confirmable: boolean,
    timeoutMs: number,
    block1Size?: number,
    block2Size?: number,
  ): Promise<CoapResponse> {
    return new Promise<CoapResponse>((resolve, reject) => {
      const sink = new PendingRequest(resolve, reject);
      const ex = this.openExchange(peer, message, confirmable, timeoutMs, sink);
      this.blockwise.startRequest(ex, message, block1Size, block2Size);
    });
  }

  openExchange(
    peer: Peer,
    message: CoapMessage,
    confirmable: boolean,
    timeoutMs: number,
    sink: ResponseSink,
  ): ClientExchange {
    const ex = new ClientExchange(
      peer,
      message.token,
      confirmable,
      sink,
      this.layers.length ? createLayerContext(peer, 'client') : undefined,
    );
    this.exchanges.add(ex);
    ex.deadline = this.clock.now() + timeoutMs;
    // A CON in flight is bounded by its retransmissions (MAX_TRANSMIT_WAIT); the deadline timer
    // is armed only when nothing else bounds the wait (NON, reliable transports, short timeouts,
    // queued behind NSTART, or an empty ACK announcing a separate response): one timer less per request.
    if (this.reliable || !confirmable || timeoutMs < this.maxTransmitWaitMs) this.armDeadline(ex);
    return ex;
  }

  /** Start the timer for the exchange's deadline, if not running. */
  armDeadline(ex: ClientExchange): void {
    if (ex.done || ex.timer !== undefined) return;
    ex.timer = this.clock.setTimeout(
      () => {
        ex.timer = undefined;
        this.failExchange(ex, new CoapTimeoutError(`no response from ${ex.peer.key} in time`, ex.peer.key));
      },
      Math.max(0, ex.deadline - this.clock.now()),
    );
  }

  /** A token not in use with this peer. */
  freshToken(peer: Peer): Uint8Array {
    for (let i = 0; i < 16; i++) {
      const t = this.d.nextToken();
      if (!this.exchanges.hasToken(peer.key, t)) return t;
    }
    throw new Error('token generator keeps returning tokens in use');
  }

  private async resolveUri(uri: string): Promise<{ peer: Peer; uriOptions: ReturnType<typeof uriToOptions> }> {
    const u = parseCoapUri(uri);
    const transport = this.d.transport;
    const scheme = transport.scheme;
    if (u.scheme !== scheme) throw new TypeError(`${uri}: this endpoint's transport speaks ${scheme}, not ${u.scheme}`);
    const peer = transport.resolvePeer ? await transport.resolvePeer(u.host, u.port) : makePeer(u.host, u.port);
    return { peer, uriOptions: uriToOptions(u) };
  }

  /** Down through the user layers (from `fromLayer`, for a layer's retry) to the message layer. */
  sendRequestDown(ex: ClientExchange, message: CoapMessage, fromLayer = 0): void {
    if (ex.done) return;
    if (ex.sends++ > 0 && !ex.keepOpen && ex.deadline < this.clock.now()) {
      // A long block-wise transfer ran past the request's deadline.
      this.failExchange(ex, new CoapTimeoutError(`no complete response from ${ex.peer.key} in time`, ex.peer.key));
      return;
    }
    if (this.layers.length === 0 || !ex.ctx) {
      try {
        this.messenger.sendRequest(ex, message);
      } catch (e) {
        this.failExchange(ex, e instanceof Error ? e : new Error(String(e))); // e.g. an option that cannot be encoded
      }
      return;
    }
    const failed = (e: unknown) => this.failExchange(ex, e instanceof Error ? e : new Error(String(e)));
    const send = (m: CoapMessage) => {
      if (!ex.done) this.messenger.sendRequest(ex, m);
    };
    // Synchronous layers (OSCORE) cost no promise per request; async ones still work.
    try {
      const out = sendThroughLayers(this.layers, 'sendRequest', message, ex.ctx, fromLayer);
      if (out instanceof Promise) out.then(send).catch(failed);
      else send(out);
    } catch (e) {
      failed(e);
    }
  }

  /** A response matched to `ex` by token, up through the user layers. */
  receiveResponse(ex: ClientExchange, message: CoapMessage): void {
    if (ex.done) return;
    if (this.layers.length === 0 || !ex.ctx) {
      this.onResponse(ex, message);
      return;
    }
    const failed = (e: unknown) => this.failExchange(ex, e instanceof Error ? e : new Error(String(e)));
    const passed = (out: Awaited<ReturnType<typeof receiveThroughLayers>>) => {
      if (isLayerRejection(out))
        this.failExchange(ex, new CoapError(out.reject, out.diagnostic ?? 'response rejected by a layer'));
      else if (isLayerRetry(out)) this.sendRequestDown(ex, out.retry, out.layerIndex);
      else this.onResponse(ex, out);
    };
    try {
      const out = receiveThroughLayers(this.layers, 'receiveResponse', message, ex.ctx);
      if (out instanceof Promise) out.then(passed).catch(failed);
      else passed(out);
    } catch (e) {
      failed(e);
    }
  }

  private onResponse(ex: ClientExchange, message: CoapMessage): void {
    if (ex.done) return;
    const complete = this.blockwise.receiveResponse(ex, message);
    if (complete === undefined) return; // block-wise transfer goes on
    if (ex.timer !== undefined) {
      this.clock.clearTimeout(ex.timer);
      ex.timer = undefined;
    }
    if (!ex.keepOpen) this.finish(ex);
    ex.sink.onResponse(ex, complete);
  }

  failExchange(ex: ClientExchange, error: Error): void {
    if (ex.done) return;
    this.finish(ex);
    ex.sink.onError(ex, error);
  }

  private finish(ex: ClientExchange): void {
    if (ex.done) return;
    ex.done = true;
    if (ex.timer !== undefined) {
      this.clock.clearTimeout(ex.timer);
      ex.timer = undefined;
    }
    this.exchanges.delete(ex);
    this.messenger.release(ex);
    this.blockwise.release(ex);
  }

  /** Observation cancel: GET with Observe=1 on the same token; the exchange closes with its response. */
  private deregister(ex: ClientExchange, message: CoapMessage): void {
    if (ex.done) return;
    ex.keepOpen = false;
    ex.timer = this.clock.setTimeout(() => {
      ex.timer = undefined;
      this.failExchange(ex, new CoapTimeoutError(`no answer to deregistration from ${ex.peer.key}`, ex.peer.key));
    }, this.maxTransmitWaitMs);
    this.sendRequestDown(ex, message);
  }
}

/** Resolves `endpoint.request()`. */
class PendingRequest implements ResponseSink {
  constructor(
    private readonly resolve: (r: CoapResponse) => void,
    private readonly reject: (e: Error) => void,
  ) {}
  onResponse(ex: ClientExchange, message: CoapMessage): void {
    this.resolve(new CoapResponse(message, ex.ctx ? ex.ctx.peer : ex.peer));
  }
  onError(_ex: ClientExchange, error: Error): void {
    this.reject(error);
  }
}
