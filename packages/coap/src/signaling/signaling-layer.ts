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
import { CoapResetError } from '../errors/coap-reset-error';
import { CoapTimeoutError } from '../errors/coap-timeout-error';
import { type ClientExchange, type ExchangeStore, ServerExchange } from '../exchange';
import { tokenKey } from '../ids';
import type { Messenger, MessengerUpper, NotificationOwner } from '../messenger';
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

  /** The peer's announced Max-Message-Size (1152 until its CSM arrives). */
  maxMessageSize(peer: Peer): number {
    return this.connections.get(peer.key)?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Whether the peer's CSM arrived, and what it said. */
  peerCapabilities(
    peer: Peer,
  ): { maxMessageSize: number; blockWiseTransfer: boolean; csmReceived: boolean } | undefined {
    const c = this.connections.get(peer.key);
    return (
      c && { maxMessageSize: c.maxMessageSize, blockWiseTransfer: c.blockWiseTransfer, csmReceived: c.csmReceived }
    );
  }

  sendRequest(ex: ClientExchange, message: CoapMessage): void {
    const c = this.connection(ex.peer);
    if (c.released) {
      this.d.upper.failExchange(ex, new CoapClosedError(`${ex.peer.key} released the connection`));
      return;
    }
    this.write(ex.peer, message);
  }

  release(): void {}

  sendResponse(sx: ServerExchange, message: CoapMessage): void {
    this.write(sx.peer, message); // throws (before anything is sent) if it cannot be encoded
    sx.responded = true;
  }

  sendNotification(sx: ServerExchange, message: CoapMessage, _confirmable: boolean, owner: NotificationOwner): void {
    this.write(sx.peer, message);
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
        c.csmReceived = true;
        if (csm.maxMessageSize !== undefined) c.maxMessageSize = csm.maxMessageSize;
        c.blockWiseTransfer = csm.blockWiseTransfer === true;
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
      this.connections.delete(peer.key);
    }
    this.d.upper.peerGone(peer, error);
  }

  peerClosed(peer: Peer, error: Error): void {
    this.drop(peer, error);
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values())
      for (const p of c.pings.values()) p.reject(new CoapClosedError('endpoint closed'));
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

  private write(peer: Peer, message: CoapMessage): void {
    if (this.closed) return;
    this.d.transport.send(peer, encodeReliable(message, this.framing)).catch((e: unknown) => {
      this.d.upper.reportError(e, `send to ${peer.key}`);
      this.drop(peer, new CoapClosedError(`connection to ${peer.key} failed`, { cause: e }));
    });
  }
}
