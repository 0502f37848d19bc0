/**
 * RFC 7252 message layer for unreliable transports (UDP, DTLS): frames in and out, message types
 * (CON/NON/ACK/RST), ACK and RST matching, piggybacked and separate responses, NON notifications
 * and the RST that ends them, duplicate detection that replays the stored reply, and CoAP ping.
 * Its parts: CON retransmission (retransmitter.ts), empty ACKs of slow handlers
 * (empty-ack-deadlines.ts), NSTART queues (nstart-slots.ts), dedup records (dedup-cache.ts).
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
import type { Peer, Transport } from '../transport';
import { DedupCache } from './dedup-cache';
import { type AckWriter, EmptyAckDeadlines } from './empty-ack-deadlines';
import { rejectMalformed } from './malformed';
import { NstartSlots } from './nstart-slots';
import { type RetransmissionHost, Retransmitter } from './retransmitter';
import { midKey } from './transmission';

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

export class ReliabilityLayer implements Messenger, RetransmissionHost, AckWriter {
  /** Last NON notification per owner, so an RST to it ends the observation. */
  private readonly nonNotifications = new Map<string, NotificationOwner>();
  private readonly lastNonKey = new Map<NotificationOwner, string>();
  /** CON requests per peer (RFC 7252 §4.7). */
  private readonly nstart: NstartSlots;
  readonly dedup: DedupCache;
  /** CONs in flight (requests, separate responses, notifications, pings). */
  private readonly retransmitter: Retransmitter;
  /** Empty-ACK deadlines of requests whose handler is still working. */
  private readonly acks: EmptyAckDeadlines;
  private closed = false;

  constructor(private readonly o: ReliabilityOptions) {
    this.dedup = new DedupCache(o.clock, o.dedupCapacity);
    this.retransmitter = new Retransmitter(o.clock, o.random, o.params, this);
    this.acks = new EmptyAckDeadlines(o.clock, o.piggybackWindowMs, this.dedup, this);
    this.nstart = new NstartSlots(o.params.nstart, this);
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
    if (!ex.holdsSlot && !this.nstart.acquire(ex, message)) {
      this.o.upper.armDeadline(ex); // queued behind NSTART
      return;
    }
    this.retransmitter.stop(ex);
    const mid = this.o.nextMessageId();
    ex.messageId = mid;
    const bytes = encodeUdp({ ...message, type: MessageType.CON, messageId: mid });
    ex.transmission = this.retransmitter.transmit(ex.peer, mid, bytes, ex, undefined, undefined);
  }

  release(ex: ClientExchange): void {
    this.retransmitter.stop(ex);
    if (ex.queued) this.nstart.withdraw(ex);
    this.nstart.free(ex);
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
    if (sx.heapIndex >= 0) this.acks.cancel(sx);
    sx.responded = true;
    this.dedup.setExchange(sx.dedupSlot, sx.dedupGen, undefined);
    if (separate) {
      // Separate response (RFC 7252 §5.2.2), confirmable so it is not lost.
      this.retransmitter.transmit(sx.peer, mid, bytes, undefined, undefined, undefined);
      return;
    }
    if (piggyback) sx.acked = true;
    this.dedup.setReply(sx.dedupSlot, sx.dedupGen, bytes);
    this.write(sx.peer, bytes);
  }

  sendNotification(sx: ServerExchange, message: CoapMessage, confirmable: boolean, owner: NotificationOwner): void {
    const mid = this.o.nextMessageId();
    const retransmitter = this.retransmitter;
    const inFlight = retransmitter.notificationInFlight(owner);
    if (confirmable || inFlight) {
      // RFC 7641 §4.5.2: a newer notification replaces a CON still in flight, keeping its
      // retransmission counter and timeout, so the latest state is what gets through.
      if (inFlight) retransmitter.cancel(inFlight);
      retransmitter.transmit(
        sx.peer,
        mid,
        encodeUdp({ ...message, type: MessageType.CON, messageId: mid }),
        undefined,
        owner,
        undefined,
        inFlight,
      );
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
    const inFlight = this.retransmitter.notificationInFlight(owner);
    if (inFlight) this.retransmitter.cancel(inFlight);
    const prev = this.lastNonKey.get(owner);
    if (prev !== undefined) {
      this.nonNotifications.delete(prev);
      this.lastNonKey.delete(owner);
    }
  }

  deferResponse(sx: ServerExchange): void {
    this.acks.defer(sx);
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
      const t = this.retransmitter.transmit(peer, mid, bytes, undefined, undefined, done);
      timer = this.o.clock.setTimeout(() => {
        this.retransmitter.cancel(t);
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
    this.retransmitter.clear();
    this.acks.clear();
    this.nonNotifications.clear();
    this.lastNonKey.clear();
    this.nstart.clear();
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
        if (pending && !pending.acked) this.acks.sendEmptyAck(pending);
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
    this.retransmitter.stop(ex);
    this.nstart.free(ex);
    this.o.upper.receiveResponse(ex, msg);
  }

  private onAck(msg: CoapMessage, peer: Peer): void {
    const t = this.retransmitter.find(midKey(peer, msg.messageId));
    if (!t) return; // duplicate or late ACK
    this.retransmitter.cancel(t);
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
    this.nstart.free(ex);
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
    const t = this.retransmitter.find(key);
    if (!t) {
      const owner = this.nonNotifications.get(key);
      if (owner) {
        this.forgetNotificationOwner(owner);
        owner.onNotificationFailed('reset');
      }
      return;
    }
    this.retransmitter.cancel(t);
    if (t.ping) t.ping.resolve();
    else if (t.notification) t.notification.onNotificationFailed('reset');
    else if (t.exchange)
      this.abandonExchange(t.exchange, new CoapResetError(`${peer.key} rejected the request (RST)`, peer.key));
  }

  /** RetransmissionHost: a CON of `ex` ended unanswered (RST, MAX_RETRANSMIT, send failure). */
  abandonExchange(ex: ClientExchange, error: Error): void {
    ex.transmission = undefined;
    this.nstart.free(ex);
    this.o.upper.failExchange(ex, error);
  }

  /** RetransmissionHost */
  reportError(error: unknown, where: string): void {
    this.o.upper.reportError(error, where);
  }

  // ---- wire ------------------------------------------------------------------------------

  private sendReset(peer: Peer, mid: number): void {
    this.write(peer, encodeUdp(createMessage({ type: MessageType.RST, code: CoapCode.EMPTY, messageId: mid })));
  }

  /** Fire and forget (ACK, RST, piggybacked or NON response): a failure goes to `onError`. */
  write(peer: Peer, bytes: Uint8Array): void {
    this.send(peer, bytes, this.onSendError);
  }

  /** RetransmissionHost */
  send(peer: Peer, bytes: Uint8Array, onError: (e: unknown) => void): void {
    if (!this.closed) sendFrame(this.o.transport, peer, bytes, onError);
  }

  /** One bound handler instead of a closure per datagram. */
  private readonly onSendError = (e: unknown): void => this.o.upper.reportError(e, 'send');
}
