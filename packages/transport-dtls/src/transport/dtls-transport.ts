import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  type Framing,
  type Peer,
  type PeerIdentity,
  peerKey,
  type Transport,
  type TransportScheme,
} from '@lwm2m-ts/coap';
import { stripBrackets } from '@lwm2m-ts/codec';
import { AlertDescription, ContentType, HandshakeType, MAX_SEQUENCE } from '../constants';
import { CookieJar } from '../handshake/cookie';
import type { HandshakeConfig, SessionParameters } from '../handshake/handshake-config';
import {
  type ClientHello,
  encodeHandshakeFragment,
  encodeHelloVerifyRequest,
  parseClientHello,
  parseHandshakeFragments,
} from '../handshake/messages';
import { encodeRecord, parseRecords } from '../record/record';
import { type ConnectionOwner, DtlsConnection } from './dtls-connection';
import { DtlsAlertError, SEQUENCE_EXHAUSTED } from './dtls-errors';
import type { DtlsAnyOptions, DtlsServerOptions } from './options';
import { type ResolvedTiming, resolveConfig } from './resolve-config';
import { SessionCache } from './session-cache';
import { CONNECTION_OF } from './test-hooks';

interface Queued {
  frame: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface DtlsStats {
  /** Established associations. */
  readonly sessions: number;
  /** Associations still handshaking. */
  readonly handshakes: number;
  readonly cachedSessions: number;
  readonly helloVerifyRequestsSent: number;
  readonly clientHellosRefused: number;
}

export type PeerAddressChangedHandler = (peer: Peer, previous: { address: string; port: number }) => void;

/**
 * DTLS 1.2 over one UDP socket, as a CoAP `Transport`. Server role when PSK lookup, certificate or raw public key
 * is configured for it; client role (handshake on first send) when client credentials are. Both on one socket works.
 */
export class DtlsTransport implements Transport, ConnectionOwner {
  readonly reliable = false;
  readonly framing: Framing = 'datagram';
  readonly scheme: TransportScheme = 'coaps';
  readonly config: HandshakeConfig;
  readonly timing: ResolvedTiming;
  private readonly byAddress = new Map<string, DtlsConnection>();
  private readonly byCid = new Map<string, DtlsConnection>();
  private readonly queues = new Map<DtlsConnection, Queued[]>();
  private readonly serverSessions: SessionCache;
  private readonly clientSessions: SessionCache;
  private readonly cookies: CookieJar;
  private readonly limits: Required<NonNullable<DtlsServerOptions['limits']>>;
  private readonly acceptsClientHello: boolean;
  private readonly canInitiate: boolean;
  private receiveHandler?: (frame: Uint8Array, peer: Peer) => void;
  private addressChangedHandler?: PeerAddressChangedHandler;
  private closedHandler?: (peer: Peer, reason?: Error) => void;
  private handshaking = 0;
  private hvrSent = 0;
  private refused = 0;
  private sweepTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly socket: Socket,
    options: DtlsAnyOptions,
    role: 'server' | 'client',
  ) {
    const { config, timing } = resolveConfig(options, role);
    this.config = config;
    this.timing = timing;
    const l = options.limits ?? {};
    this.limits = {
      maxSessions: l.maxSessions ?? 10_000,
      maxHandshakes: l.maxHandshakes ?? 1_000,
      handshakeTimeoutMs: timing.handshakeTimeoutMs,
      idleTimeoutMs: l.idleTimeoutMs ?? 30 * 60_000,
      cookieSecretLifetimeMs: l.cookieSecretLifetimeMs ?? 60_000,
      maxCachedSessions: l.maxCachedSessions ?? 10_000,
      sessionLifetimeMs: l.sessionLifetimeMs ?? 24 * 3600_000,
      maxQueuedFrames: l.maxQueuedFrames ?? 32,
    };
    this.serverSessions = new SessionCache(this.limits.maxCachedSessions, this.limits.sessionLifetimeMs, config.now);
    this.clientSessions = new SessionCache(this.limits.maxCachedSessions, this.limits.sessionLifetimeMs, config.now);
    this.cookies = new CookieJar(this.limits.cookieSecretLifetimeMs, config.now, config.random);
    this.acceptsClientHello = role === 'server' && (!!config.pskLookup || !!config.certChain || !!config.rawPublicKey);
    this.canInitiate = role === 'client';
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    if (this.limits.idleTimeoutMs > 0) {
      this.sweepTimer = setInterval(() => this.evictIdle(), Math.max(1000, this.limits.idleTimeoutMs / 4));
      this.sweepTimer.unref();
    }
  }

  // --- Transport ------------------------------------------------------------------------------

  async send(peer: Peer, frame: Uint8Array): Promise<void> {
    if (this.closing) throw new Error('DTLS transport is closed');
    const data = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    let conn = this.connectionFor(peer);
    if (conn?.state === 'established') {
      if (!conn.writeSequenceExhausted) return conn.sendApplicationData(data);
      // Sequence numbers never wrap and we do not renegotiate: end this session (close_notify, resumable) and,
      // as a client, hand the frame to a new handshake below. A server cannot start one; the client will.
      conn.closeExhausted();
      conn = undefined;
      if (!this.canInitiate)
        throw new Error(`DTLS session with ${peer.address}:${peer.port} closed: ${SEQUENCE_EXHAUSTED}`);
    }
    if (!conn) {
      if (!this.canInitiate) throw new Error(`no DTLS session with ${peer.address}:${peer.port}`);
      conn = new DtlsConnection(this, true, peer.address, peer.port);
      this.byAddress.set(peerKey(peer.address, peer.port), conn);
      this.handshaking++;
      this.queues.set(conn, []);
      try {
        conn.startClient(this.clientSessions.get(peerKey(peer.address, peer.port)));
      } catch (e) {
        conn.close(false, e as Error); // e.g. no cipher suite usable with the configured credentials
        throw e;
      }
      if (conn.state === 'closed') throw new Error('DTLS handshake could not start');
    }
    const queue = this.queues.get(conn);
    if (!queue) throw new Error(`DTLS session with ${peer.address}:${peer.port} is not ready`);
    if (queue.length >= this.limits.maxQueuedFrames)
      throw new Error('too many frames queued during the DTLS handshake');
    return new Promise((resolve, reject) => queue.push({ frame: data, resolve, reject }));
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.receiveHandler = handler;
  }

  /** A session ended: close_notify, fatal alert, idle eviction, failed handshake. */
  onPeerClosed(handler: (peer: Peer, reason?: Error) => void): void {
    this.closedHandler = handler;
  }

  /** A Connection-ID session now comes from another address; the Peer keeps its key, `previous` is the old address. */
  onPeerAddressChanged(handler: PeerAddressChangedHandler): void {
    this.addressChangedHandler = handler;
  }

  async resolvePeer(host: string, port: number): Promise<Peer> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const address = isIP(bare)
      ? bare
      : (await lookup(bare, { family: this.socket.address().family === 'IPv6' ? 6 : 4 })).address;
    return (
      this.connectionFor({ address, port, key: peerKey(address, port) })?.peer ?? {
        address,
        port,
        key: peerKey(address, port),
      }
    );
  }

  localAddress(): { address: string; port: number } | undefined {
    try {
      const a = this.socket.address();
      return { address: a.address, port: a.port };
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const conn of [...this.byAddress.values()]) conn.close(true, new Error('DTLS transport closed'));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** SO_RCVBUF the kernel granted (Linux reports twice the requested value, capped at net.core.rmem_max). */
  receiveBufferSize(): number {
    return this.socket.getRecvBufferSize();
  }

  /** The identity-bearing Peer of an established session, if any. */
  sessionPeer(peer: Pick<Peer, 'address' | 'port' | 'key'>): Peer | undefined {
    const c = this.connectionFor(peer);
    return c?.state === 'established' ? c.peer : undefined;
  }

  /**
   * Ends the association with a peer (close_notify unless `notify: false`) but keeps the session resumable: the
   * next `send()` to a
   * server runs an abbreviated handshake. A sleeping device calls this before sleeping, or when the server
   * stopped answering (it may have evicted the session).
   */
  disconnect(peer: Pick<Peer, 'address' | 'port' | 'key'>, options: { notify?: boolean } = {}): void {
    this.connectionFor(peer)?.close(options.notify ?? true, new Error('disconnected'));
  }

  /** Forgets a client-side cached session so the next handshake with that server is a full one. */
  forgetSession(address: string, port: number): void {
    this.clientSessions.delete(peerKey(address, port));
  }

  stats(): DtlsStats {
    return {
      sessions: this.byAddress.size - this.handshaking,
      handshakes: this.handshaking,
      cachedSessions: this.serverSessions.size + this.clientSessions.size,
      helloVerifyRequestsSent: this.hvrSent,
      clientHellosRefused: this.refused,
    };
  }

  /** Test hook (symbol not exported from the package): the association with `peer`, if any. */
  [CONNECTION_OF](peer: Pick<Peer, 'address' | 'port' | 'key'>): DtlsConnection | undefined {
    return this.connectionFor(peer);
  }

  // --- ConnectionOwner ------------------------------------------------------------------------

  sendDatagram(address: string, port: number, data: Buffer): void {
    if (this.closing && !this.socketOpen()) return;
    try {
      this.socket.send(data, port, address);
    } catch {
      // Socket already closed: nothing to do for a datagram transport.
    }
  }

  allocateCid(conn: DtlsConnection): Buffer {
    for (let i = 0; i < 16; i++) {
      const cid = this.config.random(this.config.cidLength);
      const hex = cid.toString('hex');
      if (!this.byCid.has(hex)) {
        this.byCid.set(hex, conn);
        conn.cidKeys ??= [];
        conn.cidKeys.push(hex);
        return cid;
      }
    }
    throw new Error('could not allocate a unique connection id');
  }

  lookupSession(sessionId: Buffer): SessionParameters | undefined {
    return this.serverSessions.get(sessionId.toString('hex'));
  }

  established(conn: DtlsConnection): void {
    this.handshaking--;
    this.releaseUnusedCids(conn);
    const s = conn.session!;
    if (s.sessionId.length > 0) {
      if (conn.isClient) this.clientSessions.set(peerKey(conn.address, conn.port), s);
      else this.serverSessions.set(s.sessionId.toString('hex'), s);
    }
    const queue = this.queues.get(conn) ?? [];
    this.queues.delete(conn);
    for (const q of queue) {
      try {
        conn.sendApplicationData(q.frame);
        q.resolve();
      } catch (e) {
        q.reject(e as Error);
      }
    }
  }

  applicationData(conn: DtlsConnection, data: Buffer): void {
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.callHandler(() => this.receiveHandler?.(frame, conn.peer));
  }

  /** A throwing upper-layer handler must not take the socket (and every other session) down with it. */
  private callHandler(call: () => void): void {
    try {
      call();
    } catch {
      // Deliberately dropped: the datagram path has no caller to report to.
    }
  }

  closed(conn: DtlsConnection, reason?: Error): void {
    const wasEstablished = conn.session !== undefined;
    if (!wasEstablished) this.handshaking--;
    const key = peerKey(conn.address, conn.port);
    if (this.byAddress.get(key) === conn) this.byAddress.delete(key);
    for (const hex of conn.cidKeys ?? []) if (this.byCid.get(hex) === conn) this.byCid.delete(hex);
    const queue = this.queues.get(conn);
    this.queues.delete(conn);
    const err = reason ?? new Error('DTLS session closed');
    for (const q of queue ?? []) q.reject(err);
    // A session that ended with a fatal alert must not be resumed (RFC 5246 7.2.2).
    if (
      reason &&
      !(
        (DtlsAlertError.isInstance(reason) && reason.description === AlertDescription.closeNotify) ||
        reason.message === 'DTLS transport closed' ||
        reason.message === SEQUENCE_EXHAUSTED ||
        reason.message === 'disconnected' ||
        reason.message === 'idle'
      )
    ) {
      if (conn.session) {
        if (conn.isClient) this.clientSessions.delete(key);
        else this.serverSessions.delete(conn.session.sessionId.toString('hex'));
      }
    }
    if (wasEstablished) this.callHandler(() => this.closedHandler?.(conn.peer, reason));
  }

  addressChanged(conn: DtlsConnection, previous: { address: string; port: number }): void {
    const oldKey = peerKey(previous.address, previous.port);
    if (this.byAddress.get(oldKey) === conn) this.byAddress.delete(oldKey);
    const newKey = peerKey(conn.address, conn.port);
    const stale = this.byAddress.get(newKey);
    if (stale && stale !== conn) stale.close(false, new Error('replaced by a Connection ID session'));
    this.byAddress.set(newKey, conn);
    this.callHandler(() => this.addressChangedHandler?.(conn.peer, previous));
  }

  // --- datagram dispatch ----------------------------------------------------------------------

  private socketOpen(): boolean {
    return this.localAddress() !== undefined;
  }

  private connectionFor(peer: Pick<Peer, 'address' | 'port' | 'key'>): DtlsConnection | undefined {
    if (peer.key.startsWith('dtls-cid:')) {
      const c = this.byCid.get(peer.key.slice(9));
      if (c) return c;
    }
    return this.byAddress.get(peerKey(peer.address, peer.port));
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    const records = parseRecords(msg, this.config.cidLength);
    const first = records[0];
    if (!first) return;
    if (first.type === ContentType.tls12Cid) {
      this.byCid.get(first.cid!.toString('hex'))?.receive(records, rinfo.address, rinfo.port);
      return;
    }
    const conn = this.byAddress.get(peerKey(rinfo.address, rinfo.port));
    const hello =
      first.epoch === 0 && first.type === ContentType.handshake ? this.initialClientHello(first.fragment) : undefined;
    // A ClientHello with a new random starts over (the peer rebooted or gave up on a stuck handshake); a repeat of
    // the one that started this association belongs to it (retransmission).
    const startsOver = hello !== undefined && !conn?.isClient && conn?.helloTag !== hello.hello.random.readUIntBE(0, 6);
    if (conn && !startsOver) {
      conn.receive(records, rinfo.address, rinfo.port);
      return;
    }
    if (!hello || !this.acceptsClientHello) return;
    this.onClientHello(hello, first.seq, rinfo, conn);
    if (records.length > 1)
      this.byAddress.get(peerKey(rinfo.address, rinfo.port))?.receive(records.slice(1), rinfo.address, rinfo.port);
  }

  /** A complete, unfragmented ClientHello in the record, or undefined. */
  private initialClientHello(fragment: Buffer): { hello: ClientHello; body: Buffer; messageSeq: number } | undefined {
    if (fragment[0] !== HandshakeType.clientHello) return undefined;
    try {
      const f = parseHandshakeFragments(fragment)[0];
      if (f?.fragmentOffset !== 0 || f.body.length !== f.length) return undefined;
      return { hello: parseClientHello(f.body), body: f.body, messageSeq: f.messageSeq };
    } catch {
      return undefined;
    }
  }

  /** Stateless until the cookie checks out (RFC 6347 4.2.1): no allocation for cookieless ClientHellos. */
  private onClientHello(
    h: { hello: ClientHello; body: Buffer; messageSeq: number },
    recordSeq: number,
    rinfo: RemoteInfo,
    existing: DtlsConnection | undefined,
  ): void {
    const { hello, body, messageSeq } = h;
    // Our flights continue from the ClientHello's record sequence number (RFC 6347 4.2.1); one that leaves no room
    // for a handshake is not from a real client.
    if (recordSeq > MAX_SEQUENCE - 1024) return;
    if (hello.cookie.length === 0 || !this.cookies.verify(rinfo.address, rinfo.port, body, hello.cookie)) {
      const cookie = this.cookies.make(rinfo.address, rinfo.port, body);
      const hvr = encodeHandshakeFragment(
        HandshakeType.helloVerifyRequest,
        messageSeq,
        encodeHelloVerifyRequest(cookie),
      );
      this.hvrSent++;
      this.sendDatagram(rinfo.address, rinfo.port, encodeRecord(ContentType.handshake, 0, recordSeq, hvr));
      return;
    }
    const total = this.byAddress.size - (existing ? 1 : 0);
    if (total >= this.limits.maxSessions || this.handshaking >= this.limits.maxHandshakes) {
      this.refused++;
      return;
    }
    // The peer proved it owns the address and starts over (e.g. it rebooted): the old association goes.
    existing?.close(false, new Error('replaced by a new handshake'));
    const conn = new DtlsConnection(this, false, rinfo.address, rinfo.port);
    this.byAddress.set(peerKey(rinfo.address, rinfo.port), conn);
    this.handshaking++;
    conn.startServer(hello, { type: HandshakeType.clientHello, seq: messageSeq, body, epoch: 0 }, recordSeq);
  }

  private releaseUnusedCids(conn: DtlsConnection): void {
    const keep = conn.ownCid?.toString('hex');
    for (const hex of conn.cidKeys ?? []) if (hex !== keep && this.byCid.get(hex) === conn) this.byCid.delete(hex);
    conn.cidKeys = keep ? [keep] : undefined;
  }

  /** Closes established sessions idle for longer than `idleTimeoutMs` (runs periodically; public for tests). */
  evictIdle(): void {
    const cutoff = this.config.now() - this.limits.idleTimeoutMs;
    for (const conn of [...this.byAddress.values()]) {
      if (conn.state === 'established' && conn.lastActivity < cutoff) conn.close(false, new Error('idle'));
    }
  }
}

/** Default socket buffers, the same as the UDP transport's. */
export const DEFAULT_RECEIVE_BUFFER_SIZE = 4 * 1024 * 1024;
export const DEFAULT_SEND_BUFFER_SIZE = 1024 * 1024;

export async function bindSocket(
  options: Pick<DtlsAnyOptions, 'host' | 'port' | 'receiveBufferSize' | 'sendBufferSize'>,
): Promise<Socket> {
  const { host, port } = options;
  const type = host !== undefined && isIP(stripBrackets(host)) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket({
    type,
    reuseAddr: false,
    recvBufferSize: options.receiveBufferSize ?? DEFAULT_RECEIVE_BUFFER_SIZE,
    sendBufferSize: options.sendBufferSize ?? DEFAULT_SEND_BUFFER_SIZE,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(
      {
        address: (host === undefined ? undefined : stripBrackets(host)) ?? (type === 'udp6' ? '::' : '0.0.0.0'),
        port: port ?? 0,
        exclusive: true,
      },
      () => {
        socket.off('error', reject);
        resolve();
      },
    );
  });
  socket.on('error', () => {
    // ICMP errors and the like concern one datagram; the socket stays usable.
  });
  return socket;
}

export type { PeerIdentity };
