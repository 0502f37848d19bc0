/** RFC 7959 block-wise transfer for both roles; see BlockClient and BlockServer. */
import {
  BERT_SZX,
  blockSize,
  CoapCode,
  type CoapMessage,
  getBlock2,
  getETags,
  OptionNumber,
  szxForSize,
} from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import { CoapError } from '../errors/coap-error';
import type { ClientExchange, ServerExchange } from '../exchange';
import type { PeerCapabilities } from '../messenger';
import type { CoapResponse } from '../response';
import type { Peer } from '../transport';
import { BlockClient, followUp } from './block-client';
import { BlockServer, concat } from './block-server';
import { ExpiringMap } from './expiring-map';
import { peerPrefix } from './transfer-key';

export interface BlockwiseOptions {
  /** Block size we send and serve (bytes, 16..1024); default 1024. Peers may ask for smaller. */
  readonly preferredBlockSize: number;
  /** Largest body reassembled in either role; a larger upload gets 4.13 with Size1 (default 1 MiB). */
  readonly maxBodySize: number;
  /** Server-side transfers (uploads in progress, bodies being downloaded) kept at most (default 1000). */
  readonly maxTransfers: number;
  /** How long server-side transfer state lives without progress (ms, default 120 s). */
  readonly transferLifetimeMs: number;
}

export const DEFAULT_BLOCKWISE: BlockwiseOptions = Object.freeze({
  preferredBlockSize: 1024,
  maxBodySize: 1024 * 1024,
  maxTransfers: 1000,
  transferLifetimeMs: 120_000,
});

export interface BlockwiseDeps {
  readonly clock: Clock;
  readonly nextToken: () => Uint8Array;
  readonly reliable: boolean;
  /** RFC 8323 capabilities of the connection to `peer` (undefined on UDP/DTLS). */
  capabilities(peer: Peer): PeerCapabilities | undefined;
  /** Undefined once the peer's CSM is known, else a promise settled when it is (or the connection ends). */
  capabilitiesKnown(peer: Peer): Promise<void> | undefined;
  sendRequest(ex: ClientExchange, message: CoapMessage): void;
  fail(ex: ClientExchange, error: Error): void;
  /** A separate request (fresh token), for the rest of a notification's body. */
  fetch(peer: Peer, message: CoapMessage): Promise<CoapResponse>;
}

/** Room left for header, token and options when a block must fit a peer's Max-Message-Size. */
const OVERHEAD = 128;

/** How a body is cut for one peer: Block SZX and payload bytes per block. */
export interface BlockPlan {
  readonly szx: number;
  /** 2^(szx+4), or for BERT (SZX 7) a multiple of 1024 that fits the peer's Max-Message-Size. */
  readonly bytes: number;
}

/** A body larger than this may be cut differently once the peer's CSM is known. */
const CSM_MATTERS_ABOVE = 1024;

export class BlockwiseLayer {
  readonly options: BlockwiseOptions;
  private readonly preferredSzx: number;
  private readonly client: BlockClient;
  private readonly server: BlockServer;
  private readonly uploads: ExpiringMap<{ parts: Uint8Array[]; received: number }>;
  private readonly downloads: ExpiringMap<CoapMessage>;

  constructor(
    private readonly d: BlockwiseDeps,
    options: Partial<BlockwiseOptions> = {},
  ) {
    this.options = { ...DEFAULT_BLOCKWISE, ...options };
    this.preferredSzx = szxForSize(this.options.preferredBlockSize);
    this.uploads = new ExpiringMap(d.clock, this.options.maxTransfers, this.options.transferLifetimeMs);
    this.downloads = new ExpiringMap(d.clock, this.options.maxTransfers, this.options.transferLifetimeMs);
    this.client = new BlockClient({
      maxBodySize: this.options.maxBodySize,
      nextToken: d.nextToken,
      sendRequest: d.sendRequest,
      fail: d.fail,
      plan: (ex, wanted) => this.plan(ex.peer, wanted),
    });
    this.server = new BlockServer({
      uploads: this.uploads,
      downloads: this.downloads,
      maxBodySize: this.options.maxBodySize,
      // A peer's smaller size wins over ours, and it may ask for BERT; without a Block option, ours.
      plan: (sx, asked) =>
        this.plan(sx.peer, asked === undefined || asked === BERT_SZX ? asked : Math.min(asked, this.preferredSzx)),
    });
  }

  startRequest(ex: ClientExchange, request: CoapMessage, block1Size?: number, block2Size?: number): void {
    const decides = request.payload.length > CSM_MATTERS_ABOVE || block1Size !== undefined || block2Size !== undefined;
    const waiting = decides && this.d.reliable ? this.d.capabilitiesKnown(ex.peer) : undefined;
    if (!waiting) {
      this.client.start(ex, request, block1Size, block2Size);
      return;
    }
    // Whole body, Block1 or BERT depends on the peer's CSM (RFC 8323 §4.3 lets us wait for it);
    // the exchange's deadline bounds the wait, and a connection that ends fails the exchange.
    waiting.then(() => {
      if (!ex.done) this.client.start(ex, request, block1Size, block2Size);
    });
  }

  receiveResponse(ex: ClientExchange, message: CoapMessage): CoapMessage | undefined {
    return this.client.receiveResponse(ex, message);
  }

  receiveRequest(sx: ServerExchange, message: CoapMessage, reply: (m: CoapMessage) => void): CoapMessage | undefined {
    return this.server.receiveRequest(sx, message, reply);
  }

  prepareResponse(sx: ServerExchange, request: CoapMessage, response: CoapMessage): CoapMessage {
    return this.server.prepareResponse(sx, request, response);
  }

  /**
   * RFC 7959 §2.6: a notification carries the first block; the rest is fetched with plain GETs
   * (no Observe) for blocks 1.., and must keep the first block's ETag.
   */
  async completeNotification(peer: Peer, registration: CoapMessage, first: CoapMessage): Promise<CoapMessage> {
    const b0 = getBlock2(first);
    if (!b0?.more || first.code >> 5 !== 2) return first;
    const etag = getETags(first)[0];
    const parts = [first.payload];
    let total = first.payload.length;
    for (let more = true; more; ) {
      // Blocks before the last are full, so the bytes so far give the next number (also for BERT).
      const num = total / b0.size;
      const res = await this.d.fetch(peer, followUp(registration, registration.token, num, b0.szx));
      const b = getBlock2(res.message);
      if (!res.isSuccess() || !b || b.num !== num || !sameEtag(getETags(res.message)[0], etag)) {
        throw new CoapError(CoapCode.REQUEST_ENTITY_INCOMPLETE, `notification block ${num}: ${res.codeText}`);
      }
      parts.push(res.payload);
      total += res.payload.length;
      if (total > this.options.maxBodySize) {
        throw new CoapError(
          CoapCode.REQUEST_ENTITY_TOO_LARGE,
          `notification body exceeds ${this.options.maxBodySize} bytes`,
        );
      }
      more = b.more;
    }
    return {
      ...first,
      options: first.options.filter((o) => o.number !== OptionNumber.BLOCK2 && o.number !== OptionNumber.SIZE2),
      payload: concat(parts, total),
    };
  }

  release(ex: ClientExchange): void {
    ex.block = undefined;
  }

  peerGone(peerKey: string): void {
    this.uploads.deletePrefix(peerPrefix(peerKey));
    this.downloads.deletePrefix(peerPrefix(peerKey));
  }

  close(): void {
    this.uploads.clear();
    this.downloads.clear();
  }

  /**
   * How to cut a body for `peer`, given the SZX asked for (a peer's Block option, the caller's
   * block size) or our preference. Undefined: the peer did not announce Block-Wise-Transfer, so
   * no Block options go to it (RFC 8323 §5.3.2). BERT (SZX 7, n × 1024 bytes up to the peer's
   * Max-Message-Size) when both ends allow it and nobody asked for a smaller size.
   */
  plan(peer: Peer, wanted?: number): BlockPlan | undefined {
    const caps = this.d.reliable ? this.d.capabilities(peer) : undefined;
    if (!caps) {
      const szx = Math.min(wanted ?? this.preferredSzx, 6); // no BERT on UDP/DTLS
      return { szx, bytes: blockSize(szx) };
    }
    if (!caps.blockWise) return undefined;
    const room = Math.max(16, caps.maxMessageSize - OVERHEAD);
    if (caps.bert && this.preferredSzx === 6 && (wanted === undefined || wanted === BERT_SZX) && room >= 1024) {
      return { szx: BERT_SZX, bytes: Math.floor(room / 1024) * 1024 };
    }
    const szx = Math.min(wanted ?? this.preferredSzx, szxForSize(room), 6);
    return { szx, bytes: blockSize(szx) };
  }
}

function sameEtag(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
