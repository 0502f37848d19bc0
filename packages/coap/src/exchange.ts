/** Exchange state shared by the layers: one object per request we send, one per request we serve. */
import type { CoapMessage } from '@lwm2m-ts/codec';
import { tokenKey } from './ids';
import type { LayerContext } from './layer';
import type { TimerNode } from './timer-heap';
import type { Peer } from './transport';

/** Receives the outcome of a client exchange (a request driver, an observation). */
export interface ResponseSink {
  /** A response message (after layers). Called once, or per notification for observations. */
  onResponse(ex: ClientExchange, message: CoapMessage): void;
  onError(ex: ClientExchange, error: Error): void;
}

/** A request we sent, matched by peer + token. Block-wise steps reuse the exchange (and its token). */
export class ClientExchange {
  readonly key: string;
  /** UDP: message id of the last message sent for this exchange (-1 before). */
  messageId = -1;
  /** UDP: true while this exchange holds one of the peer's NSTART slots. */
  holdsSlot = false;
  /** UDP: the message waiting for an NSTART slot. */
  queued: CoapMessage | undefined;
  /** Reliability-layer retransmission state (opaque here). */
  transmission: unknown;
  /** Overall response deadline (clock ms) and its timer, armed only when needed. */
  deadline = 0;
  /** Messages sent for this exchange so far (blocks, re-registrations). */
  sends = 0;
  timer: unknown;
  /** Observations stay registered after a response. */
  keepOpen = false;
  done = false;
  /** State owned by the block-wise layer. */
  block: unknown;
  /** The request as the user made it (block-wise follow-ups are built from it). */
  request: CoapMessage | undefined;

  constructor(
    readonly peer: Peer,
    readonly token: Uint8Array,
    readonly confirmable: boolean,
    public sink: ResponseSink,
    public ctx: LayerContext | undefined,
  ) {
    this.key = exchangeKey(peer.key, token);
  }
}

/** A request a peer sent us; `request` is the message as it came off the message layer. */
export class ServerExchange implements TimerNode {
  /** UDP: an ACK (empty or piggybacked) has been sent for a CON request. */
  acked = false;
  /** A final response has been sent. */
  responded = false;
  /** UDP: the empty ACK of a slow handler is due (a node in the reliability layer's timer heap, not a clock timer each). */
  due = 0;
  heapIndex = -1;
  /** UDP: deduplication record (slot + generation in the DedupCache) where the reply is stored. */
  dedupSlot = -1;
  dedupGen = 0;
  /** State owned by the block-wise layer (the Block1 to echo in the response). */
  block: unknown;

  constructor(
    public peer: Peer,
    readonly request: CoapMessage,
    public ctx: LayerContext | undefined,
  ) {}
}

export const exchangeKey = (peerKey: string, token: Uint8Array): string => `${peerKey}#${tokenKey(token)}`;

/**
 * A token as a Map key without building a string: tokens of up to 6 bytes (the usual 4 included)
 * become an exact number (value * 8 + length, below 2^51), longer ones their string key.
 */
export function tokenId(token: Uint8Array): number | string {
  const n = token.length;
  if (n > 6) return tokenKey(token);
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + token[i]!;
  return v * 8 + n;
}

/** Open client exchanges by peer, then token; O(1) match for every response, no key string per lookup. */
export class ExchangeStore {
  private readonly byPeer = new Map<string, Map<number | string, ClientExchange>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Whether an open exchange with this peer uses this token. */
  hasToken(peerKey: string, token: Uint8Array): boolean {
    return this.byPeer.get(peerKey)?.has(tokenId(token)) ?? false;
  }

  add(ex: ClientExchange): void {
    let tokens = this.byPeer.get(ex.peer.key);
    if (!tokens) {
      tokens = new Map();
      this.byPeer.set(ex.peer.key, tokens);
    }
    const id = tokenId(ex.token);
    if (!tokens.has(id)) this.count++;
    tokens.set(id, ex);
  }

  find(peer: Peer, token: Uint8Array): ClientExchange | undefined {
    return this.byPeer.get(peer.key)?.get(tokenId(token));
  }

  delete(ex: ClientExchange): void {
    const tokens = this.byPeer.get(ex.peer.key);
    if (!tokens) return;
    const id = tokenId(ex.token);
    if (tokens.get(id) !== ex) return;
    tokens.delete(id);
    this.count--;
    if (tokens.size === 0) this.byPeer.delete(ex.peer.key);
  }

  /** Exchanges with one peer (a connection ended, or the peer is gone). */
  ofPeer(peerKey: string): ClientExchange[] {
    return [...(this.byPeer.get(peerKey)?.values() ?? [])];
  }

  all(): ClientExchange[] {
    const out: ClientExchange[] = [];
    for (const tokens of this.byPeer.values()) for (const ex of tokens.values()) out.push(ex);
    return out;
  }
}
