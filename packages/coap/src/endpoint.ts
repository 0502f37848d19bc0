/**
 * One transport, both roles: the Endpoint sends requests and serves resources on the same
 * socket. It wires the stack (top to bottom): observe, block-wise, user layers (e.g. OSCORE),
 * then the message layer (ReliabilityLayer on UDP/DTLS, SignalingLayer on TCP/TLS/WS), and is
 * the public face of it and the messenger's upper side. The work is done by its parts: options
 * and defaults in endpoint-options.ts, our requests and observations in client/client-role.ts
 * (adoption in client/observation-adoption.ts), served requests in server/server-role.ts.
 */
import type { CoapMessage } from '@lwm2m-ts/codec';
import { BlockwiseLayer } from './blockwise/blockwise-layer';
import { ClientRole } from './client/client-role';
import { adoptObservation, offerUnknownNotification } from './client/observation-adoption';
import type { ObserveOptions, PeerTarget, RequestOptions } from './client/request-options';
import type { DerivedTimes } from './config';
import { createMessenger, type EndpointOptions, resolveEndpointOptions } from './endpoint-options';
import { CoapClosedError } from './errors/coap-closed-error';
import { type ClientExchange, ExchangeStore, type ServerExchange } from './exchange';
import type { MessageLayer } from './layer';
import type { Messenger, MessengerUpper } from './messenger';
import type { Observation } from './observe/observation';
import { type ObserverInfo, ObserveServer } from './observe/observe-server';
import { ReliabilityLayer } from './reliability/reliability-layer';
import type { CoapResponse } from './response';
import { Dispatcher } from './server/dispatcher';
import { DEFAULT_OPTION_CHECKS } from './server/option-checks';
import { Router } from './server/router';
import { ServerRole } from './server/server-role';
import type { Peer, Transport } from './transport';

export type { EndpointOptions } from './endpoint-options';

export class Endpoint implements MessengerUpper {
  readonly router: Router;
  readonly transport: Transport;
  readonly times: DerivedTimes;
  private readonly exchanges: ExchangeStore;
  private readonly messenger: Messenger;
  private readonly layers: readonly MessageLayer[];
  private readonly blockwise: BlockwiseLayer;
  private readonly observeServer: ObserveServer;
  private readonly client: ClientRole;
  private readonly server: ServerRole;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly onUnknownNotification: EndpointOptions['onUnknownNotification'];
  private closed = false;

  constructor(options: EndpointOptions) {
    const transport = options.transport;
    this.transport = transport;
    this.router = options.router ?? new Router();
    this.layers = options.layers ?? [];
    const resolved = resolveEndpointOptions(options);
    const { clock, nextToken, requestTimeoutMs } = resolved;
    this.times = resolved.times;
    this.onError = resolved.onError;
    this.onUnknownNotification = options.onUnknownNotification;
    this.exchanges = new ExchangeStore();
    this.messenger = createMessenger(options, resolved, this.exchanges, this);
    this.blockwise = new BlockwiseLayer(
      {
        clock,
        nextToken,
        capabilities: (peer) => this.messenger.capabilities(peer),
        capabilitiesKnown: (peer) => this.messenger.capabilitiesKnown(peer),
        sendRequest: (ex, m) => this.client.sendRequestDown(ex, m),
        fail: (ex, e) => this.client.failExchange(ex, e),
        fetch: (peer, m) =>
          this.client.exchangeOnce(peer, { ...m, token: this.client.freshToken(peer) }, true, requestTimeoutMs),
        reliable: transport.reliable,
      },
      options.blockwise,
    );
    this.client = new ClientRole({
      transport,
      clock,
      nextToken,
      exchanges: this.exchanges,
      messenger: this.messenger,
      layers: this.layers,
      blockwise: this.blockwise,
      times: this.times,
      requestTimeoutMs,
      isClosed: () => this.closed,
    });
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
        clock,
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
    return this.client.request(options);
  }

  /** Registers an observation (GET + Observe 0) and yields the response and every notification. */
  observe(options: ObserveOptions): Observation {
    return this.client.observe(options);
  }

  /**
   * Takes over an observation another endpoint registered with `token` (same peer, same target):
   * no request is sent; notifications carrying the token arrive here, and re-registration after
   * Max-Age uses the same token. Peer form only.
   */
  adoptObservation(options: ObserveOptions & PeerTarget & { readonly token: Uint8Array }): Observation {
    return adoptObservation(this.client, options, this.closed);
  }

  /** MessengerUpper: a notification for a token no exchange holds (see `onUnknownNotification`). */
  unmatchedResponse(message: CoapMessage, peer: Peer): Promise<boolean> | undefined {
    return offerUnknownNotification(this.onUnknownNotification, this.closed, message, peer);
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

  /** Whether `peer` observes something here with `token` (constant time). */
  hasObserver(peer: Peer, token: Uint8Array): boolean {
    return this.observeServer.has(peer, token);
  }

  /**
   * Ends the relation `peer` registered with `token` from this (the notifying) side, e.g. when
   * the application forgets the observation: the engine stops counting it (`hasObserver` false,
   * its `observe.maxObservers` slot free) and sends it nothing more. Nothing is sent to the peer
   * either (RFC 7641 §3.2, §4.2 let a server simply stop); a later Observe with the same token
   * is a new relation. Returns false when there was none (unknown, already ended, closed).
   * Throws a TypeError for a missing peer or token, a RangeError for a token over 8 bytes.
   */
  endObservation(peer: Peer, token: Uint8Array): boolean {
    checkRelationKey(peer, token);
    return this.observeServer.end(peer, token);
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
    for (const ex of this.exchanges.all()) this.client.failExchange(ex, error);
    this.observeServer.close();
    this.blockwise.close();
    this.messenger.close();
    await this.transport.close();
  }

  // ---- MessengerUpper (called by the message layer) --------------------------------------

  /** MessengerUpper: start the timer for the exchange's deadline, if not running. */
  armDeadline(ex: ClientExchange): void {
    this.client.armDeadline(ex);
  }

  /** MessengerUpper: a response matched to `ex` by token. */
  receiveResponse(ex: ClientExchange, message: CoapMessage): void {
    this.client.receiveResponse(ex, message);
  }

  /** MessengerUpper */
  failExchange(ex: ClientExchange, error: Error): void {
    this.client.failExchange(ex, error);
  }

  /** MessengerUpper: a (deduplicated) request from a peer. */
  receiveRequest(sx: ServerExchange, message: CoapMessage): void {
    if (!this.closed) this.server.receiveRequest(sx, message);
  }

  /** MessengerUpper: connection gone / aborted. */
  peerGone(peer: Peer, error: Error): void {
    for (const ex of this.exchanges.ofPeer(peer.key)) this.client.failExchange(ex, error);
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

/** A relation is keyed by peer and token (RFC 7252 §5.3.1: 0 to 8 bytes). */
function checkRelationKey(peer: Peer, token: Uint8Array): void {
  if (typeof peer !== 'object' || peer === null || typeof peer.key !== 'string')
    throw new TypeError('endObservation needs the Peer of the observer (an object with a string key)');
  if (!(token instanceof Uint8Array))
    throw new TypeError('endObservation needs the token of the relation as a Uint8Array');
  if (token.length > 8)
    throw new RangeError(`a CoAP token has 0 to 8 bytes (RFC 7252 §5.3.1), got ${token.length}: no relation has it`);
}
