/**
 * One transport, both roles: the Endpoint sends requests and serves resources on the same
 * socket. It wires the stack (top to bottom): observe, block-wise, user layers (e.g. OSCORE),
 * then the message layer (ReliabilityLayer on UDP/DTLS, SignalingLayer on TCP/TLS/WS).
 */
import { type CoapMessage, createOption, OptionNumber, parseCoapUri, uriToOptions } from '@lwm2m-ts/codec';
import { BlockwiseLayer, type BlockwiseOptions } from './blockwise/blockwise-layer';
import {
  buildRequestMessage,
  type ObserveOptions,
  type PeerTarget,
  type RequestOptions,
  targetOptions,
} from './client/request-options';
import { type Clock, systemClock } from './clock';
import { DEFAULT_TRANSMISSION, type DerivedTimes, deriveTimes, type TransmissionParameters } from './config';
import { CoapClosedError } from './errors/coap-closed-error';
import { CoapError } from './errors/coap-error';
import { CoapTimeoutError } from './errors/coap-timeout-error';
import { ClientExchange, ExchangeStore, type ResponseSink, type ServerExchange } from './exchange';
import {
  createMessageIdGenerator,
  createTokenGenerator,
  type MessageIdGenerator,
  type Random,
  type TokenGenerator,
} from './ids';
import {
  createLayerContext,
  isLayerRejection,
  isLayerRetry,
  type MessageLayer,
  receiveThroughLayers,
  sendThroughLayers,
} from './layer';
import type { Messenger, MessengerUpper } from './messenger';
import { methodCode } from './method';
import { Observation } from './observe/observation';
import { type ObserverInfo, ObserveServer, type ObserveServerOptions } from './observe/observe-server';
import { ReliabilityLayer } from './reliability/reliability-layer';
import { CoapResponse } from './response';
import { Dispatcher } from './server/dispatcher';
import { DEFAULT_OPTION_CHECKS, type OptionChecks } from './server/option-checks';
import { Router } from './server/router';
import { ServerRole } from './server/server-role';
import { SignalingLayer, type SignalingOptions } from './signaling/signaling-layer';
import type { Peer, Transport } from './transport';
import { makePeer } from './transport';

export interface EndpointOptions {
  readonly transport: Transport;
  /** Resources served; default an empty Router (reachable as `endpoint.router`). */
  readonly router?: Router;
  /** Extra message layers, top (application side) first; see MessageLayer. */
  readonly layers?: readonly MessageLayer[];
  readonly clock?: Clock;
  /** Randomness for retransmission jitter and first message id; default Math.random. */
  readonly random?: Random;
  /** Default: 4 random bytes from the platform CSPRNG. */
  readonly tokenGenerator?: TokenGenerator;
  readonly messageIdGenerator?: MessageIdGenerator;
  /** RFC 7252 §4.8 parameters (UDP/DTLS). */
  readonly transmission?: Partial<TransmissionParameters>;
  /** Dedup records kept at most (oldest evicted first); default 20 000. Replies: 4 KiB, grown while live. */
  readonly dedupCapacity?: number;
  /** Default request timeout (ms); default EXCHANGE_LIFETIME (247 s with default parameters). */
  readonly requestTimeoutMs?: number;
  /** A handler slower than this gets an empty ACK, then a separate response (ms); default 1000. */
  readonly piggybackWindowMs?: number;
  readonly blockwise?: Partial<BlockwiseOptions>;
  readonly observe?: Partial<ObserveServerOptions>;
  /** RFC 8323 CSM we send (reliable transports). */
  readonly signaling?: Partial<SignalingOptions>;
  /** Options a request may carry (unknown critical: 4.02); default one shared, immutable standard table. */
  readonly optionRegistry?: OptionChecks;
  /**
   * UDP/DTLS: a notification whose token matches no observation here (one another server node
   * established, in a cluster). Resolve true after `adoptObservation` took its token; false
   * rejects it with RST (the default without this hook).
   */
  readonly onUnknownNotification?: (message: CoapMessage, peer: Peer) => Promise<boolean>;
  /** Errors nobody awaits (send failures, handler crashes); default: ignored. */
  readonly onError?: (error: unknown, where: string) => void;
}

export class Endpoint implements MessengerUpper {
  readonly router: Router;
  readonly transport: Transport;
  readonly times: DerivedTimes;
  private readonly clock: Clock;
  private readonly nextToken: TokenGenerator;
  private readonly exchanges: ExchangeStore;
  private readonly messenger: Messenger;
  private readonly layers: readonly MessageLayer[];
  private readonly blockwise: BlockwiseLayer;
  private readonly observeServer: ObserveServer;
  private readonly server: ServerRole;
  private readonly requestTimeoutMs: number;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly onUnknownNotification: EndpointOptions['onUnknownNotification'];
  private closed = false;

  constructor(options: EndpointOptions) {
    const transport = options.transport;
    this.transport = transport;
    this.router = options.router ?? new Router();
    this.layers = options.layers ?? [];
    this.clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    this.nextToken = options.tokenGenerator ?? createTokenGenerator(4);
    const params: TransmissionParameters = { ...DEFAULT_TRANSMISSION, ...options.transmission };
    this.times = deriveTimes(params);
    this.requestTimeoutMs = options.requestTimeoutMs ?? this.times.exchangeLifetimeMs;
    this.onError = options.onError ?? (() => {});
    this.onUnknownNotification = options.onUnknownNotification;
    this.exchanges = new ExchangeStore();
    this.messenger = transport.reliable
      ? new SignalingLayer({
          transport,
          clock: this.clock,
          exchanges: this.exchanges,
          upper: this,
          nextToken: this.nextToken,
          ...options.signaling,
        })
      : new ReliabilityLayer({
          transport,
          clock: this.clock,
          random,
          nextMessageId: options.messageIdGenerator ?? createMessageIdGenerator(random),
          params,
          times: this.times,
          exchanges: this.exchanges,
          upper: this,
          dedupCapacity: options.dedupCapacity ?? 20_000,
          piggybackWindowMs: options.piggybackWindowMs ?? 1000,
        });
    this.blockwise = new BlockwiseLayer(
      {
        clock: this.clock,
        nextToken: this.nextToken,
        capabilities: (peer) => this.messenger.capabilities(peer),
        capabilitiesKnown: (peer) => this.messenger.capabilitiesKnown(peer),
        sendRequest: (ex, m) => this.sendRequestDown(ex, m),
        fail: (ex, e) => this.failExchange(ex, e),
        fetch: (peer, m) =>
          this.exchangeOnce(peer, { ...m, token: this.freshToken(peer) }, true, this.requestTimeoutMs),
        reliable: transport.reliable,
      },
      options.blockwise,
    );
    const server = new ServerRole({
      messenger: this.messenger,
      layers: this.layers,
      blockwise: this.blockwise,
      dispatcher: new Dispatcher(this.router, (e, where) => this.reportError(e, where)),
      registry: options.optionRegistry ?? DEFAULT_OPTION_CHECKS,
      isClosed: () => this.closed,
      reportError: (e, where) => this.reportError(e, where),
    });
    this.server = server;
    this.observeServer = new ObserveServer(
      {
        clock: this.clock,
        render: (rel) => server.render(rel.peer, rel.request, rel.exchange),
        send: (rel, m, con) => server.sendNotificationDown(rel.exchange, m, con, rel),
        forget: (rel) => {
          if (this.messenger instanceof ReliabilityLayer) this.messenger.forgetNotificationOwner(rel);
        },
      },
      options.observe,
    );
    server.observers = this.observeServer;
    transport.onReceive((frame, peer) => {
      try {
        this.messenger.receive(frame, peer);
      } catch (e) {
        this.reportError(e, `receive from ${peer.key}`);
      }
    });
    transport.onPeerClosed?.((peer, reason) =>
      this.messenger.peerClosed(peer, new CoapClosedError(`connection to ${peer.key} closed`, { cause: reason })),
    );
  }

  // ---- client API ------------------------------------------------------------------------

  /** Sends a request and resolves with the response, whatever its code; rejects on timeout, RST or close. */
  request(options: RequestOptions): Promise<CoapResponse> {
    if (this.closed) return Promise.reject(new CoapClosedError('endpoint is closed'));
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

  /** Registers an observation (GET + Observe 0) and yields the response and every notification. */
  observe(options: ObserveOptions): Observation {
    const code = methodCode(options.method ?? 'GET');
    const observation = this.newObservation(options.bufferSize);
    const start = (peer: Peer, targetOpts: ReturnType<typeof targetOptions>) => {
      if (observation.isEnded || this.closed) return; // cancelled while the URI was resolved
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
    if (this.closed) observation.onError(undefined, new CoapClosedError('endpoint is closed'));
    else if ('peer' in options) start(options.peer, targetOptions(options as PeerTarget));
    else
      this.resolveUri(options.uri).then(
        ({ peer, uriOptions }) => start(peer, uriOptions),
        (e: unknown) => observation.onError(undefined, e instanceof Error ? e : new Error(String(e))),
      );
    return observation;
  }

  /**
   * Takes over an observation another endpoint registered with `token` (same peer, same target):
   * no request is sent; notifications carrying the token arrive here, and re-registration after
   * Max-Age uses the same token. Peer form only.
   */
  adoptObservation(options: ObserveOptions & PeerTarget & { readonly token: Uint8Array }): Observation {
    const observation = this.newObservation(options.bufferSize);
    if (this.closed) {
      observation.onError(undefined, new CoapClosedError('endpoint is closed'));
      return observation;
    }
    const code = methodCode(options.method ?? 'GET');
    const message = buildRequestMessage(
      code,
      options.token,
      targetOptions(options),
      options,
      createOption(OptionNumber.OBSERVE, 0),
    );
    const ex = this.openExchange(
      options.peer,
      message,
      options.confirmable ?? true,
      options.timeoutMs ?? this.requestTimeoutMs,
      observation,
    );
    ex.keepOpen = true;
    observation.attach(ex, message);
    return observation;
  }

  /** MessengerUpper: a notification for a token no exchange holds (see `onUnknownNotification`). */
  unmatchedResponse(message: CoapMessage, peer: Peer): Promise<boolean> | undefined {
    if (!this.onUnknownNotification || this.closed || !message.options.some((o) => o.number === OptionNumber.OBSERVE))
      return undefined;
    return this.onUnknownNotification(message, peer);
  }

  private newObservation(bufferSize = 64): Observation {
    return new Observation(this.clock, bufferSize, {
      reregister: (ex, m) => this.sendRequestDown(ex, m),
      cancel: (ex, m) => this.deregister(ex, m),
      end: (ex) => this.finish(ex),
      completeNotification: (ex, reg, first) => this.blockwise.completeNotification(ex.peer, reg, first),
    });
  }

  /** CoAP ping: resolves when the peer answers (RST to an empty CON, or a 7.03 Pong). */
  ping(peer: Peer, timeoutMs = this.times.maxTransmitWaitMs): Promise<void> {
    if (this.closed) return Promise.reject(new CoapClosedError('endpoint is closed'));
    return this.messenger.ping(peer, timeoutMs);
  }

  // ---- server API ------------------------------------------------------------------------

  /**
   * Tells observers of `path` that the resource changed: the GET handler runs again per
   * observer and its answer goes out as a notification. Returns the number of observers.
   */
  notify(
    path: string | readonly string[],
    options: {
      confirmable?: boolean;
      /** Only this peer's observers of the path (e.g. one LwM2M server among several). */
      peer?: Peer;
      /** With `peer`: only the relation registered with this token. */
      token?: Uint8Array;
    } = {},
  ): number {
    return this.observeServer.notify(path, options.confirmable, options.peer?.key, options.token);
  }

  /** Observers currently registered on a path (all paths if omitted). */
  observerCount(path?: string | readonly string[]): number {
    return this.observeServer.count(path);
  }

  /** The observe relations (peer, token, path) on a path, or all of them. */
  observers(path?: string | readonly string[]): ObserverInfo[] {
    return this.observeServer.list(path);
  }

  /** Fails open exchanges, drops observers, closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new CoapClosedError('endpoint closed');
    for (const ex of this.exchanges.all()) this.failExchange(ex, error);
    this.observeServer.close();
    this.blockwise.close();
    this.messenger.close();
    await this.transport.close();
  }

  // ---- client internals ------------------------------------------------------------------

  private exchangeOnce(
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

  private openExchange(
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
    if (this.transport.reliable || !confirmable || timeoutMs < this.times.maxTransmitWaitMs) this.armDeadline(ex);
    return ex;
  }

  /** MessengerUpper: start the timer for the exchange's deadline, if not running. */
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
  private freshToken(peer: Peer): Uint8Array {
    for (let i = 0; i < 16; i++) {
      const t = this.nextToken();
      if (!this.exchanges.hasToken(peer.key, t)) return t;
    }
    throw new Error('token generator keeps returning tokens in use');
  }

  private async resolveUri(uri: string): Promise<{ peer: Peer; uriOptions: ReturnType<typeof uriToOptions> }> {
    const u = parseCoapUri(uri);
    const scheme = this.transport.scheme;
    if (u.scheme !== scheme) throw new TypeError(`${uri}: this endpoint's transport speaks ${scheme}, not ${u.scheme}`);
    const peer = this.transport.resolvePeer
      ? await this.transport.resolvePeer(u.host, u.port)
      : makePeer(u.host, u.port);
    return { peer, uriOptions: uriToOptions(u) };
  }

  /** Down through the user layers (from `fromLayer`, for a layer's retry) to the message layer. */
  private sendRequestDown(ex: ClientExchange, message: CoapMessage, fromLayer = 0): void {
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

  /** MessengerUpper: a response matched to `ex` by token. */
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

  /** MessengerUpper */
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
    }, this.times.maxTransmitWaitMs);
    this.sendRequestDown(ex, message);
  }

  /** MessengerUpper: a (deduplicated) request from a peer. */
  receiveRequest(sx: ServerExchange, message: CoapMessage): void {
    if (!this.closed) this.server.receiveRequest(sx, message);
  }

  /** MessengerUpper: connection gone / aborted. */
  peerGone(peer: Peer, error: Error): void {
    for (const ex of this.exchanges.ofPeer(peer.key)) this.failExchange(ex, error);
    this.observeServer.peerGone(peer.key);
    this.blockwise.peerGone(peer.key);
  }

  /** MessengerUpper */
  reportError(error: unknown, where: string): void {
    try {
      this.onError(error, where);
    } catch {
      // a failing error hook must not take the endpoint down
    }
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
