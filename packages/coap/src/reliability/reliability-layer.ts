/**
 * RFC 7252 message layer for unreliable transports (UDP, DTLS): CON retransmission with
 * exponential back-off, ACK/RST, piggybacked and separate responses, NON, deduplication that
 * replays the stored reply, NSTART per peer and CoAP ping.
 */
import {
  CoapCode,
  type CoapMessage,
  CodecError,
  codeClass,
  createMessage,
  decodeUdp,
  encodeUdp,
  isRequestCode,
  isResponseCode,
  MessageType,
} from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import type { DerivedTimes, TransmissionParameters } from '../config';
import { CoapResetError } from '../errors/coap-reset-error';
import { CoapSendError } from '../errors/coap-send-error';
import { CoapTimeoutError } from '../errors/coap-timeout-error';
import { type ClientExchange, type ExchangeStore, ServerExchange } from '../exchange';
import type { MessageIdGenerator, Random } from '../ids';
import type { Messenger, MessengerUpper, NotificationOwner } from '../messenger';
import { sendFrame } from '../send-frame';
import { TimerHeap } from '../timer-heap';
import type { Peer, Transport } from '../transport';
import { DedupCache } from './dedup-cache';
import { rejectMalformed } from './malformed';
import { midKey, type PeerSlots, type Transmission } from './transmission';

export interface ReliabilityOptions {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  readonly nextMessageId: MessageIdGenerator;
  readonly params: TransmissionParameters;
  readonly times: DerivedTimes;
  readonly exchanges: ExchangeStore;
  readonly upper: MessengerUpper;
  readonly dedupCapacity: number;
  /** How long a handler may take before a CON request gets an empty ACK (ms). */
  readonly piggybackWindowMs: number;
}

export class ReliabilityLayer implements Messenger {
  private readonly outstanding = new Map<string, Transmission>();
  /** Last NON notification per owner, so an RST to it ends the observation. */
  private readonly nonNotifications = new Map<string, NotificationOwner>();
  private readonly lastNonKey = new Map<NotificationOwner, string>();
  private readonly slots = new Map<string, PeerSlots>();
  /** The CON notification in flight per observe relation. */
  private readonly conNotifications = new Map<NotificationOwner, Transmission>();
  readonly dedup: DedupCache;
  /** Retransmission timers: one clock timer for all CONs in flight. */
  private readonly timers: TimerHeap<Transmission>;
  /** Empty-ACK deadlines of requests whose handler is still working: one clock timer for all. */
  private readonly ackTimers: TimerHeap<ServerExchange>;
  private closed = false;

  constructor(private readonly o: ReliabilityOptions) {
    this.dedup = new DedupCache(o.clock, o.dedupCapacity);
    this.timers = new TimerHeap<Transmission>(o.clock, (t) => this.retransmit(t));
    this.ackTimers = new TimerHeap<ServerExchange>(o.clock, (sx) => {
      if (!sx.acked && !sx.responded) this.sendEmptyAck(sx);
    });
  }

  // ---- sending ---------------------------------------------------------------------------

  sendRequest(ex: ClientExchange, message: CoapMessage): void {
    if (!ex.confirmable) {
      const mid = this.o.nextMessageId();
      ex.messageId = mid;
      const bytes = encodeUdp({ ...message, type: MessageType.NON, messageId: mid });
      this.send(ex.peer, bytes, (e) => {
        // Nothing will retransmit it: the request fails now (unless it moved on meanwhile).
        if (!ex.done && ex.messageId === mid) this.o.upper.failExchange(ex, new CoapSendError(ex.peer.key, e));
      });
      return;
    }
    if (!ex.holdsSlot) {
      const s = this.slotsOf(ex.peer);
      if (s.active >= this.o.params.nstart) {
        ex.queued = message;
        // A transfer already under way (next block, re-registration) goes first: its server-side
        // state is waiting for it.
        if (ex.messageId >= 0) s.waiting.unshift(ex);
        else s.waiting.push(ex);
        this.o.upper.armDeadline(ex);
        return;
      }
      s.active++;
      ex.holdsSlot = true;
    }
    this.stopTransmission(ex);
    const mid = this.o.nextMessageId();
    ex.messageId = mid;
    const bytes = encodeUdp({ ...message, type: MessageType.CON, messageId: mid });
    ex.transmission = this.transmit(ex.peer, mid, bytes, ex, undefined, undefined);
  }

  release(ex: ClientExchange): void {
    this.stopTransmission(ex);
    if (ex.queued) {
      ex.queued = undefined;
      const s = this.slots.get(ex.peer.key);
      if (s) {
        const i = s.waiting.indexOf(ex);
        if (i >= 0) s.waiting.splice(i, 1);
      }
    }
    this.freeSlot(ex);
  }

  sendResponse(sx: ServerExchange, message: CoapMessage): void {
    const req = sx.request;
    const piggyback = req.type === MessageType.CON && !sx.acked;
    const separate = req.type === MessageType.CON && !piggyback;
    const mid = piggyback ? req.messageId : this.o.nextMessageId();
    const type = piggyback ? MessageType.ACK : separate ? MessageType.CON : MessageType.NON;
    // Encode first: a response that cannot be encoded leaves the exchange unanswered, so the
    // caller can still send an error response instead.
    const bytes = encodeUdp({ ...message, type, messageId: mid });
    if (sx.heapIndex >= 0) this.ackTimers.cancel(sx);
    sx.responded = true;
    this.dedup.setExchange(sx.dedupSlot, sx.dedupGen, undefined);
    if (separate) {
      // Separate response (RFC 7252 §5.2.2), confirmable so it is not lost.
      this.transmit(sx.peer, mid, bytes, undefined, undefined, undefined);
      return;
    }
    if (piggyback) sx.acked = true;
    this.dedup.setReply(sx.dedupSlot, sx.dedupGen, bytes);
    this.write(sx.peer, bytes);
  }

  sendNotification(sx: ServerExchange, message: CoapMessage, confirmable: boolean, owner: NotificationOwner): void {
    const mid = this.o.nextMessageId();
    const inFlight = this.conNotifications.get(owner);
    if (confirmable || inFlight) {
      // RFC 7641 §4.5.2: a newer notification replaces a CON still in flight, keeping its
      // retransmission counter and timeout, so the latest state is what gets through.
      if (inFlight) this.cancelTransmission(inFlight);
      const t = this.transmit(
        sx.peer,
        mid,
        encodeUdp({ ...message, type: MessageType.CON, messageId: mid }),
        undefined,
        owner,
        undefined,
        inFlight,
      );
      this.conNotifications.set(owner, t);
      return;
    }
    const key = midKey(sx.peer, mid);
    const prev = this.lastNonKey.get(owner);
    if (prev !== undefined) this.nonNotifications.delete(prev);
    this.lastNonKey.set(owner, key);
    this.nonNotifications.set(key, owner);
    this.write(sx.peer, encodeUdp({ ...message, type: MessageType.NON, messageId: mid }));
  }

  /** Forgets NON-notification bookkeeping of an observe relation that ended. */
  forgetNotificationOwner(owner: NotificationOwner): void {
    const inFlight = this.conNotifications.get(owner);
    if (inFlight) this.cancelTransmission(inFlight);
    const prev = this.lastNonKey.get(owner);
    if (prev !== undefined) {
      this.nonNotifications.delete(prev);
      this.lastNonKey.delete(owner);
    }
  }

  deferResponse(sx: ServerExchange): void {
    if (sx.request.type !== MessageType.CON || sx.acked || sx.responded || sx.heapIndex >= 0) return;
    this.ackTimers.schedule(sx, this.o.piggybackWindowMs);
  }

  ping(peer: Peer, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const mid = this.o.nextMessageId();
      const bytes = encodeUdp(createMessage({ type: MessageType.CON, code: CoapCode.EMPTY, messageId: mid }));
      let timer: unknown;
      const done = {
        resolve: () => {
          this.o.clock.clearTimeout(timer);
          resolve();
        },
        reject: (e: Error) => {
          this.o.clock.clearTimeout(timer);
          reject(e);
        },
      };
      const t = this.transmit(peer, mid, bytes, undefined, undefined, done);
      timer = this.o.clock.setTimeout(() => {
        this.cancelTransmission(t);
        reject(new CoapTimeoutError(`ping to ${peer.key} timed out`, peer.key));
      }, timeoutMs);
    });
  }

  peerClosed(peer: Peer, error: Error): void {
    this.o.upper.peerGone(peer, error);
  }

  capabilities(): undefined {
    return undefined;
  }

  capabilitiesKnown(): undefined {
    return undefined;
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
    this.ackTimers.clear();
    this.outstanding.clear();
    this.nonNotifications.clear();
    this.lastNonKey.clear();
    this.conNotifications.clear();
    this.slots.clear();
    this.dedup.clear();
  }

  // ---- receiving -------------------------------------------------------------------------

  receive(frame: Uint8Array, peer: Peer): void {
    if (this.closed) return;
    let msg: CoapMessage;
    try {
      msg = decodeUdp(frame);
    } catch (e) {
      if (!CodecError.isInstance(e)) throw e;
      const reply = rejectMalformed(frame, e);
      if (reply) this.write(peer, reply);
      return;
    }
    switch (msg.type) {
      case MessageType.ACK:
        this.onAck(msg, peer);
        return;
      case MessageType.RST:
        this.onReset(msg, peer);
        return;
      default:
        if (msg.code === CoapCode.EMPTY) {
          // CoAP ping (RFC 7252 §4.3): an empty CON is answered with RST.
          if (msg.type === MessageType.CON) this.sendReset(peer, msg.messageId);
        } else if (isRequestCode(msg.code)) this.onRequest(msg, peer);
        else if (isResponseCode(msg.code)) this.onResponse(msg, peer);
        else if (msg.type === MessageType.CON) this.sendReset(peer, msg.messageId);
    }
  }

  private onRequest(msg: CoapMessage, peer: Peer): void {
    const dedup = this.dedup;
    const seen = dedup.find(peer.key, msg.messageId);
    if (seen >= 0) {
      const reply = dedup.reply(seen);
      if (reply) this.write(peer, reply);
      else if (msg.type === MessageType.CON) {
        const pending = dedup.exchange(seen);
        if (pending && !pending.acked) this.sendEmptyAck(pending);
      }
      return;
    }
    const con = msg.type === MessageType.CON;
    const slot = dedup.add(peer.key, msg.messageId, con ? this.o.times.exchangeLifetimeMs : this.o.times.nonLifetimeMs);
    const sx = new ServerExchange(peer, msg, undefined);
    sx.dedupSlot = slot;
    sx.dedupGen = dedup.generation(slot);
    dedup.setExchange(slot, sx.dedupGen, sx);
    this.o.upper.receiveRequest(sx, msg);
  }

  private onResponse(msg: CoapMessage, peer: Peer): void {
    const con = msg.type === MessageType.CON;
    const seen = this.dedup.find(peer.key, msg.messageId);
    if (seen >= 0) {
      const reply = this.dedup.reply(seen);
      if (reply) this.write(peer, reply);
      return;
    }
    const ex = this.o.exchanges.find(peer, msg.token);
    if (!ex) {
      // Unknown token: reject so the sender stops (also ends an observation we forgot, RFC 7641 §3.6),
      // unless the endpoint adopts it (an observation made by another node sharing the state).
      const adopting = this.o.upper.unmatchedResponse?.(msg, peer);
      if (!adopting) this.sendReset(peer, msg.messageId);
      else
        adopting.then(
          (adopted) => {
            if (this.closed) return;
            if (adopted && this.o.exchanges.find(peer, msg.token)) this.onResponse(msg, peer);
            else this.sendReset(peer, msg.messageId);
          },
          () => !this.closed && this.sendReset(peer, msg.messageId),
        );
      return;
    }
    const slot = this.dedup.add(
      peer.key,
      msg.messageId,
      con ? this.o.times.exchangeLifetimeMs : this.o.times.nonLifetimeMs,
    );
    if (con) {
      const ack = encodeUdp(createMessage({ type: MessageType.ACK, code: CoapCode.EMPTY, messageId: msg.messageId }));
      this.dedup.setReply(slot, this.dedup.generation(slot), ack);
      this.write(peer, ack);
    }
    // A separate response also acknowledges the request (RFC 7252 §5.2.2, lost ACK).
    this.stopTransmission(ex);
    this.freeSlot(ex);
    this.o.upper.receiveResponse(ex, msg);
  }

  private onAck(msg: CoapMessage, peer: Peer): void {
    const t = this.outstanding.get(midKey(peer, msg.messageId));
    if (!t) return; // duplicate or late ACK
    this.cancelTransmission(t);
    if (t.ping) {
      t.ping.resolve();
      return;
    }
    if (t.notification) {
      t.notification.onNotificationAcknowledged();
      return;
    }
    const ex = t.exchange;
    if (!ex) return;
    ex.transmission = undefined;
    this.freeSlot(ex);
    const cls = codeClass(msg.code);
    if (cls >= 2 && cls <= 5 && this.o.exchanges.find(peer, msg.token) === ex) {
      this.o.upper.receiveResponse(ex, msg);
      return;
    }
    // Empty ACK: a separate response follows. (An ACK with a foreign token or a non-response
    // code acknowledges the message but answers nothing.) Either way only the deadline is left.
    this.o.upper.armDeadline(ex);
  }

  private onReset(msg: CoapMessage, peer: Peer): void {
    const key = midKey(peer, msg.messageId);
    const t = this.outstanding.get(key);
    if (!t) {
      const owner = this.nonNotifications.get(key);
      if (owner) {
        this.forgetNotificationOwner(owner);
        owner.onNotificationFailed('reset');
      }
      return;
    }
    this.cancelTransmission(t);
    if (t.ping) t.ping.resolve();
    else if (t.notification) t.notification.onNotificationFailed('reset');
    else if (t.exchange) {
      t.exchange.transmission = undefined;
      this.freeSlot(t.exchange);
      this.o.upper.failExchange(t.exchange, new CoapResetError(`${peer.key} rejected the request (RST)`, peer.key));
    }
  }

  // ---- retransmission --------------------------------------------------------------------

  private transmit(
    peer: Peer,
    mid: number,
    bytes: Uint8Array,
    exchange: ClientExchange | undefined,
    notification: NotificationOwner | undefined,
    ping: Transmission['ping'],
    replaces?: Transmission,
  ): Transmission {
    const p = this.o.params;
    const t: Transmission = {
      onSendError: (e) => this.transmissionFailed(t, e),
      key: midKey(peer, mid),
      peer,
      bytes,
      attempts: replaces ? replaces.attempts : 0,
      // Initial timeout random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (RFC 7252 §4.2).
      timeoutMs: replaces ? replaces.timeoutMs : p.ackTimeoutMs * (1 + this.o.random() * (p.ackRandomFactor - 1)),
      due: 0,
      heapIndex: -1,
      exchange,
      notification,
      ping,
    };
    this.outstanding.set(t.key, t);
    this.send(peer, bytes, t.onSendError);
    this.timers.schedule(t, t.timeoutMs);
    return t;
  }

  private retransmit(t: Transmission): void {
    if (this.outstanding.get(t.key) !== t) return;
    if (t.attempts >= this.o.params.maxRetransmit) {
      this.cancelTransmission(t);
      const error = new CoapTimeoutError(
        `no acknowledgement from ${t.peer.key} after ${t.attempts} retransmissions`,
        t.peer.key,
      );
      if (t.ping) t.ping.reject(error);
      else if (t.notification) t.notification.onNotificationFailed('timeout');
      else if (t.exchange) {
        t.exchange.transmission = undefined;
        this.freeSlot(t.exchange);
        this.o.upper.failExchange(t.exchange, error);
      }
      return;
    }
    t.attempts++;
    t.timeoutMs *= 2;
    this.send(t.peer, t.bytes, t.onSendError);
    this.timers.schedule(t, t.timeoutMs);
  }

  /**
   * The transport rejected a CON (e.g. DTLS handshake failed): retransmitting cannot help, so
   * its owner fails now with a CoapSendError instead of after MAX_RETRANSMIT.
   */
  private transmissionFailed(t: Transmission, cause: unknown): void {
    if (this.outstanding.get(t.key) !== t) return; // acknowledged, replaced or cancelled meanwhile
    this.cancelTransmission(t);
    const error = new CoapSendError(t.peer.key, cause);
    if (t.ping) t.ping.reject(error);
    else if (t.notification) {
      this.o.upper.reportError(error, `notification to ${t.peer.key}`);
      t.notification.onNotificationFailed('send');
    } else if (t.exchange) {
      t.exchange.transmission = undefined;
      this.freeSlot(t.exchange);
      this.o.upper.failExchange(t.exchange, error);
    } else this.o.upper.reportError(error, `separate response to ${t.peer.key}`);
  }

  private cancelTransmission(t: Transmission): void {
    this.timers.cancel(t);
    if (this.outstanding.get(t.key) === t) this.outstanding.delete(t.key);
    if (t.notification && this.conNotifications.get(t.notification) === t) this.conNotifications.delete(t.notification);
  }

  private stopTransmission(ex: ClientExchange): void {
    const t = ex.transmission as Transmission | undefined;
    if (t) {
      this.cancelTransmission(t);
      ex.transmission = undefined;
    }
  }

  // ---- NSTART ----------------------------------------------------------------------------

  private slotsOf(peer: Peer): PeerSlots {
    let s = this.slots.get(peer.key);
    if (!s) {
      s = { active: 0, waiting: [] };
      this.slots.set(peer.key, s);
    }
    return s;
  }

  private freeSlot(ex: ClientExchange): void {
    if (!ex.holdsSlot) return;
    ex.holdsSlot = false;
    const s = this.slots.get(ex.peer.key);
    if (!s) return;
    s.active--;
    while (s.active < this.o.params.nstart && s.waiting.length > 0) {
      const next = s.waiting.shift()!;
      const m = next.queued;
      next.queued = undefined;
      if (m && !next.done) this.sendRequest(next, m);
    }
    if (s.active === 0 && s.waiting.length === 0) this.slots.delete(ex.peer.key);
  }

  // ---- wire ------------------------------------------------------------------------------

  private sendEmptyAck(sx: ServerExchange): void {
    sx.acked = true;
    const bytes = encodeUdp(
      createMessage({ type: MessageType.ACK, code: CoapCode.EMPTY, messageId: sx.request.messageId }),
    );
    this.dedup.setReply(sx.dedupSlot, sx.dedupGen, bytes);
    this.write(sx.peer, bytes);
  }

  private sendReset(peer: Peer, mid: number): void {
    this.write(peer, encodeUdp(createMessage({ type: MessageType.RST, code: CoapCode.EMPTY, messageId: mid })));
  }

  /** Fire and forget (ACK, RST, piggybacked or NON response): a failure goes to `onError`. */
  private write(peer: Peer, bytes: Uint8Array): void {
    this.send(peer, bytes, this.onSendError);
  }

  private send(peer: Peer, bytes: Uint8Array, onError: (e: unknown) => void): void {
    if (!this.closed) sendFrame(this.o.transport, peer, bytes, onError);
  }

  /** One bound handler instead of a closure per datagram. */
  private readonly onSendError = (e: unknown): void => this.o.upper.reportError(e, 'send');
}
