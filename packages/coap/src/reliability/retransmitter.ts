/**
 * CON retransmission for the ReliabilityLayer (RFC 7252 §4.2): every CON in flight by peer +
 * message id, one TimerHeap (one clock timer) for all of them, exponential back-off from a random
 * initial timeout, the CON notification in flight per observe relation (RFC 7641 §4.5.2), and the
 * end of a CON that is never acknowledged (MAX_RETRANSMIT) or that the transport refuses: its
 * owner (client exchange, notification or ping) is told. ACK and RST matching stay in the layer.
 */
import type { Clock } from '../clock';
import type { TransmissionParameters } from '../config';
import { CoapSendError } from '../errors/coap-send-error';
import { CoapTimeoutError } from '../errors/coap-timeout-error';
import type { ClientExchange } from '../exchange';
import type { Random } from '../ids';
import type { NotificationOwner } from '../messenger';
import { TimerHeap } from '../timer-heap';
import type { Peer } from '../transport';
import { midKey, type Transmission } from './transmission';

/** What the retransmitter needs from its layer (the ReliabilityLayer implements it). */
export interface RetransmissionHost {
  /** Hands a frame to the transport (nothing once the layer is closed). */
  send(peer: Peer, bytes: Uint8Array, onError: (e: unknown) => void): void;
  /** A CON of the exchange ended unanswered: give back its NSTART slot and fail it. */
  abandonExchange(ex: ClientExchange, error: Error): void;
  reportError(error: unknown, where: string): void;
}

export class Retransmitter {
  private readonly outstanding = new Map<string, Transmission>();
  /** The CON notification in flight per observe relation. */
  private readonly conNotifications = new Map<NotificationOwner, Transmission>();
  /** Retransmission timers: one clock timer for all CONs in flight. */
  private readonly timers: TimerHeap<Transmission>;

  constructor(
    clock: Clock,
    private readonly random: Random,
    private readonly params: TransmissionParameters,
    private readonly host: RetransmissionHost,
  ) {
    this.timers = new TimerHeap<Transmission>(clock, (t) => this.retransmit(t));
  }

  /** The CON in flight with this peer + message id key, if any. */
  find(key: string): Transmission | undefined {
    return this.outstanding.get(key);
  }

  /** The CON notification of this relation still in flight, if any. */
  notificationInFlight(owner: NotificationOwner): Transmission | undefined {
    return this.conNotifications.get(owner);
  }

  /**
   * Sends a CON and retransmits it until cancelled. `replaces` (a notification superseding one in
   * flight) hands over its retransmission counter and timeout.
   */
  transmit(
    peer: Peer,
    mid: number,
    bytes: Uint8Array,
    exchange: ClientExchange | undefined,
    notification: NotificationOwner | undefined,
    ping: Transmission['ping'],
    replaces?: Transmission,
  ): Transmission {
    const p = this.params;
    const t: Transmission = {
      onSendError: (e) => this.transmissionFailed(t, e),
      key: midKey(peer, mid),
      peer,
      bytes,
      attempts: replaces ? replaces.attempts : 0,
      // Initial timeout random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (RFC 7252 §4.2).
      timeoutMs: replaces ? replaces.timeoutMs : p.ackTimeoutMs * (1 + this.random() * (p.ackRandomFactor - 1)),
      due: 0,
      heapIndex: -1,
      exchange,
      notification,
      ping,
    };
    this.outstanding.set(t.key, t);
    this.host.send(peer, bytes, t.onSendError);
    this.timers.schedule(t, t.timeoutMs);
    if (notification) this.conNotifications.set(notification, t);
    return t;
  }

  private retransmit(t: Transmission): void {
    if (this.outstanding.get(t.key) !== t) return;
    if (t.attempts >= this.params.maxRetransmit) {
      this.cancel(t);
      const error = new CoapTimeoutError(
        `no acknowledgement from ${t.peer.key} after ${t.attempts} retransmissions`,
        t.peer.key,
      );
      if (t.ping) t.ping.reject(error);
      else if (t.notification) t.notification.onNotificationFailed('timeout');
      else if (t.exchange) this.host.abandonExchange(t.exchange, error);
      return;
    }
    t.attempts++;
    t.timeoutMs *= 2;
    this.host.send(t.peer, t.bytes, t.onSendError);
    this.timers.schedule(t, t.timeoutMs);
  }

  /**
   * The transport rejected a CON (e.g. DTLS handshake failed): retransmitting cannot help, so
   * its owner fails now with a CoapSendError instead of after MAX_RETRANSMIT.
   */
  private transmissionFailed(t: Transmission, cause: unknown): void {
    if (this.outstanding.get(t.key) !== t) return; // acknowledged, replaced or cancelled meanwhile
    this.cancel(t);
    const error = new CoapSendError(t.peer.key, cause);
    if (t.ping) t.ping.reject(error);
    else if (t.notification) {
      this.host.reportError(error, `notification to ${t.peer.key}`);
      t.notification.onNotificationFailed('send');
    } else if (t.exchange) this.host.abandonExchange(t.exchange, error);
    else this.host.reportError(error, `separate response to ${t.peer.key}`);
  }

  /** Stops retransmitting `t` (acknowledged, reset, replaced, given up or no longer wanted). */
  cancel(t: Transmission): void {
    this.timers.cancel(t);
    if (this.outstanding.get(t.key) === t) this.outstanding.delete(t.key);
    if (t.notification && this.conNotifications.get(t.notification) === t) this.conNotifications.delete(t.notification);
  }

  /** Stops the exchange's CON in flight, if any. */
  stop(ex: ClientExchange): void {
    const t = ex.transmission as Transmission | undefined;
    if (t) {
      this.cancel(t);
      ex.transmission = undefined;
    }
  }

  clear(): void {
    this.timers.clear();
    this.outstanding.clear();
    this.conNotifications.clear();
  }
}
