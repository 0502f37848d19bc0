/**
 * Linked in-process transports for deterministic tests. Datagram transports suffer the
 * programmed loss, duplication, reordering and delay; stream transports (RFC 8323 TCP framing)
 * and websocket transports keep order and lose nothing, and stream bytes are re-split with
 * `reliableFrameLength` like a real TCP reader. Timing goes through the injected clock, so
 * vitest fake timers drive everything.
 */
import { reliableFrameLength } from '@lwm2m-ts/codec';
import { type Clock, systemClock } from '../clock';
import type { Random } from '../ids';
import {
  type Framing,
  makePeer,
  type Peer,
  type PeerIdentity,
  type Transport,
  type TransportScheme,
} from '../transport';
import { seededRandom } from './random';

export interface LinkConditions {
  /** Probability a datagram is lost (0..1). */
  readonly loss?: number;
  /** Probability a datagram is delivered twice. */
  readonly duplicate?: number;
  /** Probability a datagram is held back by up to `reorderWindowMs`, so later ones overtake it. */
  readonly reorder?: number;
  readonly reorderWindowMs?: number;
  /** Fixed delay of every frame (ms). */
  readonly delayMs?: number;
  /** Extra random delay per datagram, 0..jitterMs (ms). */
  readonly jitterMs?: number;
}

export interface MemoryNetworkOptions extends LinkConditions {
  readonly clock?: Clock;
  /** Drives loss/duplication/reordering; default seededRandom(1). */
  readonly random?: Random;
}

export interface MemoryTransportOptions {
  /** 'datagram' (UDP-like, default), 'stream' (TCP-like) or 'websocket'. */
  readonly kind?: Framing;
  /** Default: next free number from 40000. */
  readonly port?: number;
  /** The identity peers see for this node (as if authenticated by DTLS/TLS). */
  readonly identity?: PeerIdentity;
  readonly scheme?: TransportScheme;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

const DEFAULT_SCHEME: Record<Framing, TransportScheme> = { datagram: 'coap', stream: 'coap+tcp', websocket: 'coap+ws' };

export class MemoryNetwork {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0 };
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly nodes = new Map<string, MemoryTransport>();
  private readonly links = new Map<string, LinkConditions>();
  private conditions: LinkConditions;
  private nextPort = 40000;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? seededRandom(1);
    const { clock: _c, random: _r, ...conditions } = options;
    this.conditions = conditions;
  }

  /** A transport bound at `name:port`. */
  transport(name: string, options: MemoryTransportOptions = {}): MemoryTransport {
    const kind = options.kind ?? 'datagram';
    const port = options.port ?? this.nextPort++;
    const t = new MemoryTransport(this, name, port, kind, options.scheme ?? DEFAULT_SCHEME[kind], options.identity);
    const key = `${name}|${port}`;
    if (this.nodes.has(key)) throw new Error(`address in use: ${key}`);
    this.nodes.set(key, t);
    return t;
  }

  /** Conditions for every link, or for one direction `from` -> `to` (node names). */
  setConditions(conditions: LinkConditions, from?: string, to?: string): void {
    if (from === undefined) this.conditions = conditions;
    else this.links.set(`${from}>${to ?? '*'}`, conditions);
  }

  /** Ends the stream connection between two nodes (both see onPeerClosed). */
  disconnect(a: MemoryTransport, b: MemoryTransport): void {
    a.connectionClosed(b.selfPeer());
    b.connectionClosed(a.selfPeer());
  }

  /** @internal */
  route(from: MemoryTransport, to: Peer, frame: Uint8Array): Promise<void> {
    const dest = this.nodes.get(`${to.address}|${to.port}`);
    this.stats.sent++;
    if (from.framing !== 'datagram') {
      if (!dest || dest.isClosed || dest.framing !== from.framing)
        return Promise.reject(new Error(`connection refused: ${to.key}`));
      from.connectionOpened(dest);
      dest.connectionOpened(from);
      const delay = this.linkOf(from, dest).delayMs ?? 0;
      this.schedule(delay, () => dest.deliverStream(frame.slice(), from.selfPeer()));
      return Promise.resolve();
    }
    if (dest?.framing !== 'datagram') return Promise.resolve(); // UDP: silently nowhere
    const c = this.linkOf(from, dest);
    const loss = c.loss ?? 0;
    if (loss > 0 && this.random() < loss) {
      this.stats.lost++;
      return Promise.resolve();
    }
    const copies = c.duplicate && this.random() < c.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = (c.delayMs ?? 0) + (c.jitterMs ? this.random() * c.jitterMs : 0);
      if (c.reorder && this.random() < c.reorder) {
        this.stats.reordered++;
        delay += this.random() * (c.reorderWindowMs ?? 50);
      }
      const bytes = frame.slice();
      const sender = from.selfPeer();
      this.schedule(delay, () => {
        this.stats.delivered++;
        dest.deliver(bytes, sender);
      });
    }
    return Promise.resolve();
  }

  /** @internal */
  unbind(t: MemoryTransport): void {
    this.nodes.delete(`${t.name}|${t.port}`);
  }

  private linkOf(from: MemoryTransport, to: MemoryTransport): LinkConditions {
    return this.links.get(`${from.name}>${to.name}`) ?? this.links.get(`${from.name}>*`) ?? this.conditions;
  }

  private schedule(delay: number, fn: () => void): void {
    if (delay <= 0) queueMicrotask(fn);
    else this.clock.setTimeout(fn, delay);
  }
}

export class MemoryTransport implements Transport {
  readonly reliable: boolean;
  private receiver: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  private closedHandler: ((peer: Peer, reason?: Error) => void) | undefined;
  private readonly connections = new Map<string, MemoryTransport>();
  /** Partial stream bytes per sending peer (TCP framing). */
  private readonly streamBuffers = new Map<string, Uint8Array>();
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly name: string,
    readonly port: number,
    readonly framing: Framing,
    readonly scheme: TransportScheme,
    readonly identity: PeerIdentity | undefined,
  ) {
    this.reliable = framing !== 'datagram';
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** How others see this node. */
  selfPeer(): Peer {
    return makePeer(this.name, this.port, this.identity);
  }

  /** The Peer to pass to `endpoint.request({ peer })` to reach `other`. */
  peerOf(other: MemoryTransport): Peer {
    return makePeer(other.name, other.port, other.identity);
  }

  send(peer: Peer, frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    return this.network.route(this, peer, frame);
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.receiver = handler;
  }

  onPeerClosed(handler: (peer: Peer, reason?: Error) => void): void {
    this.closedHandler = handler;
  }

  async resolvePeer(host: string, port: number): Promise<Peer> {
    return makePeer(host, port);
  }

  localAddress(): { address: string; port: number } {
    return { address: this.name, port: this.port };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.network.unbind(this);
    for (const other of [...this.connections.values()]) this.network.disconnect(this, other);
  }

  /** @internal */
  deliver(frame: Uint8Array, from: Peer): void {
    if (!this.closed) this.receiver?.(frame, from);
  }

  /** @internal TCP: bytes arrive as a stream and are cut into frames by their length header. */
  deliverStream(bytes: Uint8Array, from: Peer): void {
    if (this.closed) return;
    if (this.framing === 'websocket') {
      this.deliver(bytes, from);
      return;
    }
    const prev = this.streamBuffers.get(from.key);
    let buf = prev ? concatBytes(prev, bytes) : bytes;
    for (;;) {
      const n = reliableFrameLength(buf);
      if (n === undefined || buf.length < n) break;
      this.deliver(buf.subarray(0, n), from);
      buf = buf.subarray(n);
    }
    if (buf.length) this.streamBuffers.set(from.key, buf);
    else this.streamBuffers.delete(from.key);
  }

  /** @internal */
  connectionOpened(other: MemoryTransport): void {
    this.connections.set(other.selfPeer().key, other);
  }

  /** @internal */
  connectionClosed(peer: Peer): void {
    if (!this.connections.delete(peer.key)) return;
    this.streamBuffers.delete(peer.key);
    this.closedHandler?.(peer);
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
