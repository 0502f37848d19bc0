/**
 * RFC 8323 message layer for reliable transports (TCP, TLS, WebSockets): no types, no message
 * ids, no retransmission; requests and responses matched by token only. Each side sends a CSM
 * (Max-Message-Size, Block-Wise-Transfer) as its first message on a connection; 7.02 Ping is
 * answered with 7.03 Pong; 7.04 Release and 7.05 Abort end the connection's exchanges.
 */
import {
  CoapCode,
  type CoapMessage,
  CodecError,
  createAbort,
  createCsm,
  createMessage,
  createPing,
  createPong,
  DEFAULT_MAX_MESSAGE_SIZE,
  decodeReliable,
  encodeReliable,
  hasCustody,
  isRequestCode,
  isResponseCode,
  type ReliableFraming,
  readAbort,
  readCsm,
} from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import { CoapClosedError } from '../errors/coap-closed-error';
import { CoapError } from '../errors/coap-error';
import { CoapResetError } from '../errors/coap-reset-error';
import { CoapSendError } from '../errors/coap-send-error';
import { CoapTimeoutError } from '../errors/coap-timeout-error';
import { type ClientExchange, type ExchangeStore, ServerExchange } from '../exchange';
import { tokenKey } from '../ids';
import type { Messenger, MessengerUpper, NotificationOwner, PeerCapabilities } from '../messenger';
import { sendFrame } from '../send-frame';
import type { Peer, Transport } from '../transport';

export interface SignalingOptions {
  /** Max-Message-Size we announce in our CSM (bytes); default 8192 + header room. */
  readonly maxMessageSize: number;
  /** Announce Block-Wise-Transfer support in our CSM; default true. */
  readonly blockWiseTransfer: boolean;
}

export const DEFAULT_SIGNALING: SignalingOptions = Object.freeze({
  maxMessageSize: 8192 + 128,
  blockWiseTransfer: true,
});

export interface SignalingDeps extends Partial<SignalingOptions> {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly exchanges: ExchangeStore;
  readonly upper: MessengerUpper;
  readonly nextToken: () => Uint8Array;
}

interface Connection {
  csmSent: boolean;
  /** What the peer told us in its CSM (RFC 8323 §5.3); base values until then. */
  maxMessageSize: number;
  blockWiseTransfer: boolean;
  csmReceived: boolean;
  /** Waiting for the peer's CSM (settled when it arrives or the connection ends). */
  csmWaiters: (() => void)[];
  released: boolean;
  readonly pings: Map<string, { resolve(): void; reject(e: Error): void; timer: unknown }>;
}

export class SignalingLayer implements Messenger {
  private readonly framing: ReliableFraming;
  private readonly connections = new Map<string, Connection>();
  private readonly options: SignalingOptions;
  private closed = false;

  constructor(private readonly d: SignalingDeps) {
    this.framing = d.transport.framing === 'websocket' ? 'ws' : 'tcp';
    this.options = {
      maxMessageSize: d.maxMessageSize ?? DEFAULT_SIGNALING.maxMessageSize,
      blockWiseTransfer: d.blockWiseTransfer ?? DEFAULT_SIGNALING.blockWiseTransfer,
    };
  }

  /** RFC 8323 §5.3: what the peer announced (base values until its CSM) and whether BERT is on. */
  capabilities(peer: Peer): PeerCapabilities {
    const c = this.connections.get(peer.key);
    const maxMessageSize = c?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    const blockWise = c?.blockWiseTransfer ?? false;
    return {
      maxMessageSize,
      blockWise,
      // §5.3.2: Block-Wise-Transfer with a Max-Message-Size above 1152 also means BERT.
      bert:
        blockWise &&
        maxMessageSize > DEFAULT_MAX_MESSAGE_SIZE &&
        this.options.blockWiseTransfer &&
        this.options.maxMessageSize > DEFAULT_MAX_MESSAGE_SIZE,
    };
  }

  capabilitiesKnown(peer: Peer): Promise<void> | undefined {
    const c = this.connection(peer);
    if (c.csmReceived) return undefined;
    return new Promise<void>((resolve) => c.csmWaiters.push(resolve));
  }

  sendRequest(ex: ClientExchange, message: CoapMessage): void {
    const c = this.connection(ex.peer);
    if (c.released) {
      this.d.upper.failExchange(ex, new CoapClosedError(`${ex.peer.key} released the connection`));
      return;
    }
    const frame = encodeReliable(message, this.framing); // throws if it cannot be encoded
    if (frame.length > c.maxMessageSize) {
      this.d.upper.failExchange(ex, tooLargeForPeer(ex.peer, frame.length, c));
      return;
    }
    this.sendFrame(ex.peer, frame, ex);
  }

  release(): void {}

  sendResponse(sx: ServerExchange, message: CoapMessage): void {
    this.sendFrame(sx.peer, this.fitResponse(sx.peer, message)); // throws (before anything is sent) if it cannot be encoded
    sx.responded = true;
  }

  sendNotification(sx: ServerExchange, message: CoapMessage, _confirmable: boolean, owner: NotificationOwner): void {
    this.sendFrame(sx.peer, this.fitResponse(sx.peer, message));
    // The connection delivers it or fails as a whole: acknowledge at once so the relation's CON cycle completes.
    owner.onNotificationAcknowledged();
  }

  deferResponse(): void {}

  ping(peer: Peer, timeoutMs: number): Promise<void> {
    const c = this.connection(peer);
    const token = this.d.nextToken();
    const key = tokenKey(token);
    return new Promise<void>((resolve, reject) => {
      const timer = this.d.clock.setTimeout(() => {
        c.pings.delete(key);
        reject(new CoapTimeoutError(`no Pong from ${peer.key}`, peer.key));
      }, timeoutMs);
      c.pings.set(key, {
        resolve: () => {
          this.d.clock.clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          this.d.clock.clearTimeout(timer);
          reject(e);
        },
        timer,
      });
      this.write(peer, createPing(false, token));
    });
  }

  receive(frame: Uint8Array, peer: Peer): void {
    if (this.closed) return;
    let msg: CoapMessage;
    try {
      msg = decodeReliable(frame, this.framing);
    } catch (e) {
      if (!CodecError.isInstance(e)) throw e;
      // No way to resynchronize a stream after a bad frame (RFC 8323 §5.6): abort.
      this.write(peer, createAbort({ diagnostic: e.message.slice(0, 128) }));
      this.drop(peer, new CoapResetError(`malformed frame from ${peer.key}: ${e.message}`, peer.key));
      return;
    }
    const c = this.connection(peer); // our CSM goes out before any answer
    const code = msg.code;
    if (code >> 5 === 7) {
      this.onSignal(msg, peer, c);
      return;
    }
    if (code === CoapCode.EMPTY) return; // keep-alive, ignored (RFC 8323 §3.4)
    if (isRequestCode(code)) this.d.upper.receiveRequest(new ServerExchange(peer, msg, undefined), msg);
    else if (isResponseCode(code)) {
      const ex = this.d.exchanges.find(peer, msg.token);
      if (ex) this.d.upper.receiveResponse(ex, msg);
    }
  }

  private onSignal(msg: CoapMessage, peer: Peer, c: Connection): void {
    switch (msg.code) {
      case CoapCode.CSM: {
        const csm = readCsm(msg);
        if (csm.maxMessageSize !== undefined) c.maxMessageSize = csm.maxMessageSize;
        // A later CSM updates only what it carries; a capability once announced stays (§5.3).
        if (csm.blockWiseTransfer === true) c.blockWiseTransfer = true;
        if (!c.csmReceived) {
          c.csmReceived = true;
          for (const w of c.csmWaiters.splice(0)) w();
        }
        return;
      }
      case CoapCode.PING:
        this.write(peer, createPong(hasCustody(msg), msg.token));
        return;
      case CoapCode.PONG: {
        // Matched by token; a peer that does not echo the token (seen with libcoap 4.3) answers
        // in order on the stream, so its Pong answers the oldest Ping.
        let key = tokenKey(msg.token);
        if (!c.pings.has(key)) key = c.pings.keys().next().value ?? key;
        const p = c.pings.get(key);
        if (p) {
          c.pings.delete(key);
          p.resolve();
        }
        return;
      }
      case CoapCode.RELEASE:
        // The peer will close: no new requests on this connection; answers in flight may still come.
        c.released = true;
        return;
      case CoapCode.ABORT: {
        const a = readAbort(msg);
        this.drop(
          peer,
          new CoapResetError(`${peer.key} aborted the connection${a.diagnostic ? `: ${a.diagnostic}` : ''}`, peer.key),
        );
        return;
      }
      default:
        return; // unknown signals are ignored (RFC 8323 §5.1: only critical options would matter)
    }
  }

  /** The connection ended (transport report, Abort): forget its state and fail what depends on it. */
  drop(peer: Peer, error: Error): void {
    const c = this.connections.get(peer.key);
    if (c) {
      for (const p of c.pings.values()) p.reject(error);
      for (const w of c.csmWaiters.splice(0)) w(); // the exchanges waiting fail through peerGone
      this.connections.delete(peer.key);
    }
    this.d.upper.peerGone(peer, error);
  }

  peerClosed(peer: Peer, error: Error): void {
    this.drop(peer, error);
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) {
      for (const p of c.pings.values()) p.reject(new CoapClosedError('endpoint closed'));
      for (const w of c.csmWaiters.splice(0)) w();
    }
    this.connections.clear();
  }

  private connection(peer: Peer): Connection {
    let c = this.connections.get(peer.key);
    if (!c) {
      c = {
        csmSent: false,
        maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
        blockWiseTransfer: false,
        csmReceived: false,
        csmWaiters: [],
        released: false,
        pings: new Map(),
      };
      this.connections.set(peer.key, c);
    }
    if (!c.csmSent) {
      c.csmSent = true;
      this.write(
        peer,
        createCsm({ maxMessageSize: this.options.maxMessageSize, blockWiseTransfer: this.options.blockWiseTransfer }),
      );
    }
    return c;
  }

  /**
   * The response's frame, or, when it exceeds the peer's Max-Message-Size (a peer without
   * Block-Wise-Transfer, or options too large), a 5.00 saying so: never a frame the peer refuses.
   */
  private fitResponse(peer: Peer, message: CoapMessage): Uint8Array {
    const frame = encodeReliable(message, this.framing);
    const c = this.connection(peer);
    if (frame.length <= c.maxMessageSize) return frame;
    const error = tooLargeForPeer(peer, frame.length, c);
    this.d.upper.reportError(error, `response to ${peer.key}`);
    return encodeReliable(
      createMessage({
        code: CoapCode.INTERNAL_SERVER_ERROR,
        token: message.token,
        payload: new TextEncoder().encode(error.message.slice(0, c.maxMessageSize - 64)),
      }),
      this.framing,
    );
  }

  private write(peer: Peer, message: CoapMessage): void {
    this.sendFrame(peer, encodeReliable(message, this.framing));
  }

  /**
   * A frame the transport refuses (connect refused, TLS handshake failed) ends the connection:
   * the request it carried and every other exchange on it fail with a CoapSendError; a failed
   * frame nobody awaits (CSM, response, Pong) is also reported to `onError`.
   */
  private sendFrame(peer: Peer, frame: Uint8Array, ex?: ClientExchange): void {
    if (this.closed) return;
    sendFrame(this.d.transport, peer, frame, (e: unknown) => {
      const error = new CoapSendError(peer.key, e);
      if (ex) this.d.upper.failExchange(ex, error);
      else this.d.upper.reportError(error, `send to ${peer.key}`);
      if (!this.closed) this.drop(peer, error);
    });
  }
}

/** 4.13 (RFC 8323 §5.3.1): a message larger than the peer's Max-Message-Size. */
function tooLargeForPeer(peer: Peer, size: number, c: Connection): CoapError {
  const why = c.blockWiseTransfer ? '' : ' and it did not announce Block-Wise-Transfer';
  return new CoapError(
    CoapCode.REQUEST_ENTITY_TOO_LARGE,
    `message of ${size} bytes exceeds ${peer.key}'s Max-Message-Size of ${c.maxMessageSize}${why}`,
  );
}
