/**
 * The bottom of the stack: turns messages into frames for one kind of transport. UDP/DTLS get
 * the ReliabilityLayer (RFC 7252 CON/ACK/RST, deduplication, NSTART); TCP/TLS/WS get the
 * SignalingLayer (RFC 8323 CSM, Ping/Pong, Release, Abort).
 */
import type { CoapMessage } from '@lwm2m-ts/codec';
import type { ClientExchange, ServerExchange } from './exchange';
import type { Peer } from './transport';

/** RFC 8323 capabilities of a connection (base values until the peer's CSM arrives). */
export interface PeerCapabilities {
  /** The peer's Max-Message-Size: no message we send may be larger (1152 until its CSM). */
  readonly maxMessageSize: number;
  /** The peer announced Block-Wise-Transfer: Block options may be sent to it. */
  readonly blockWise: boolean;
  /**
   * BERT (RFC 8323 §6, SZX 7) may be used with the peer: both ends announced Block-Wise-Transfer
   * with a Max-Message-Size above 1152 (§5.3.2).
   */
  readonly bert: boolean;
}

/** Told what happened to a notification we sent (observe relations implement it). */
export interface NotificationOwner {
  /** The peer rejected it with RST, a CON notification was never acknowledged, or the transport could not send it. */
  onNotificationFailed(reason: 'reset' | 'timeout' | 'send'): void;
  /** A CON notification was acknowledged. */
  onNotificationAcknowledged(): void;
}

export interface Messenger {
  /** Sends one request message of `ex` (the exchange must be in the ExchangeStore). */
  sendRequest(ex: ClientExchange, message: CoapMessage): void;
  /** Stops retransmitting for `ex` and frees its resources (it has been removed from the store). */
  release(ex: ClientExchange): void;
  /** Sends a (final or first) response to a served request: piggybacked, separate or NON. */
  sendResponse(sx: ServerExchange, message: CoapMessage): void;
  /** A further notification of an observation (a new message each time). */
  sendNotification(sx: ServerExchange, message: CoapMessage, confirmable: boolean, owner: NotificationOwner): void;
  /** The handler is slow: acknowledge a CON request now (empty ACK, RFC 7252 §5.2.2) after the piggyback window. */
  deferResponse(sx: ServerExchange): void;
  /** CoAP ping: empty CON answered by RST (UDP), or 7.02 Ping / 7.03 Pong (RFC 8323). */
  ping(peer: Peer, timeoutMs: number): Promise<void>;
  /** What the peer announced in its CSM (RFC 8323 §5.3) and what we did; undefined on UDP. */
  capabilities(peer: Peer): PeerCapabilities | undefined;
  /**
   * Undefined when `capabilities(peer)` holds the peer's CSM; else a promise that settles when
   * it arrives (or the connection ends). RFC 8323 §4.3 lets us wait for it before a message
   * whose shape depends on it (a large body: whole or block-wise, BERT or not).
   */
  capabilitiesKnown(peer: Peer): Promise<void> | undefined;
  /** The transport reports that a connection / session with the peer ended. */
  peerClosed(peer: Peer, error: Error): void;
  /** Feeds one received frame. */
  receive(frame: Uint8Array, peer: Peer): void;
  close(): void;
}

/** What a messenger calls upward. */
export interface MessengerUpper {
  receiveRequest(sx: ServerExchange, message: CoapMessage): void;
  receiveResponse(ex: ClientExchange, message: CoapMessage): void;
  /** The exchange now waits without retransmissions (queued, or a separate response announced): enforce its deadline. */
  armDeadline(ex: ClientExchange): void;
  /** The exchange failed below (timeout, RST, connection closed, the transport refused to send). */
  failExchange(ex: ClientExchange, error: Error): void;
  /** A connection ended or the peer aborted (reliable transports): observations with it end. */
  peerGone(peer: Peer, error: Error): void;
  /**
   * A response whose token matches no exchange (e.g. a notification of an observation another
   * server node made). A promise: true once an exchange for the token exists (the message is then
   * taken again), false to reject it with RST. Undefined (or no method): RST at once.
   */
  unmatchedResponse?(message: CoapMessage, peer: Peer): Promise<boolean> | undefined;
  /** Something went wrong that nobody awaits (e.g. a send failed); reported, never thrown. */
  reportError(error: unknown, where: string): void;
}
