/**
 * RFC 7252 §4.5 message deduplication: remembers recent message ids per peer for
 * EXCHANGE_LIFETIME (CON) / NON_LIFETIME (NON), with the reply to replay for a duplicate.
 * Bounded: at most `capacity` records (oldest evicted first) and a fixed byte slab for replies.
 *
 * Built for the hot path and the garbage collector: records live in a ring of typed arrays
 * (no object per message), replies are copied into one circular byte slab, and lookups are one
 * string-keyed Map per peer then an open-addressing (peer id, message id) table. A record is addressed by its slot
 * and a generation number, so a stale handle to a reused slot is harmless.
 */
import type { Clock } from '../clock';
import type { ServerExchange } from '../exchange';
import { MidIndex } from './mid-index';

interface PeerRecords {
  readonly key: string;
  /** Small integer naming the peer in the MidIndex. */
  readonly id: number;
  /** Records of this peer still in the ring. */
  live: number;
}

export class DedupCache {
  private readonly peers = new Map<string, PeerRecords>();
  private readonly index: MidIndex;
  private readonly freeIds: number[] = [];
  private nextId = 0;
  private readonly capacity: number;
  private head = 0;
  private count = 0;
  private readonly slotPeer: (PeerRecords | undefined)[];
  private readonly slotMid: Int32Array;
  private readonly slotExpires: Float64Array;
  private readonly slotGen: Uint32Array;
  private readonly replyOff: Int32Array;
  private readonly replyLen: Int32Array;
  private readonly slotExchange: (ServerExchange | undefined)[];
  // Reply bytes: a circular slab, regions queued in write order.
  private readonly bytes: Uint8Array;
  private writePos = 0;
  private readonly qSlot: Int32Array;
  private readonly qGen: Uint32Array;
  private readonly qOff: Int32Array;
  private readonly qLen: Int32Array;
  private qHead = 0;
  private qCount = 0;

  constructor(
    private readonly clock: Clock,
    capacity: number,
    /** Reply bytes kept at most; default 128 per record, at least 256 KiB. */
    slabBytes = Math.max(256 * 1024, capacity * 128),
  ) {
    if (!(capacity >= 1)) throw new RangeError('dedup capacity must be >= 1');
    this.capacity = capacity;
    this.index = new MidIndex(capacity);
    this.slotPeer = new Array<PeerRecords | undefined>(capacity).fill(undefined);
    this.slotExchange = new Array<ServerExchange | undefined>(capacity).fill(undefined);
    this.slotMid = new Int32Array(capacity);
    this.slotExpires = new Float64Array(capacity);
    this.slotGen = new Uint32Array(capacity);
    this.replyOff = new Int32Array(capacity);
    this.replyLen = new Int32Array(capacity).fill(-1);
    this.bytes = new Uint8Array(slabBytes);
    const q = capacity * 2;
    this.qSlot = new Int32Array(q);
    this.qGen = new Uint32Array(q);
    this.qOff = new Int32Array(q);
    this.qLen = new Int32Array(q);
  }

  get size(): number {
    return this.count;
  }

  /** Slot of the live record for this message, or -1 if it was not seen within its lifetime. */
  find(peerKey: string, messageId: number): number {
    const rec = this.peers.get(peerKey);
    if (rec === undefined) return -1;
    const slot = this.index.get(rec.id, messageId);
    if (slot < 0 || this.slotExpires[slot]! <= this.clock.now()) return -1;
    return slot;
  }

  /** Records a new message; returns its slot. */
  add(peerKey: string, messageId: number, lifetimeMs: number): number {
    const now = this.clock.now();
    while (this.count > 0 && (this.count >= this.capacity || this.slotExpires[this.head]! <= now)) this.evictOldest();
    let rec = this.peers.get(peerKey);
    if (rec === undefined) {
      rec = { key: peerKey, id: this.freeIds.pop() ?? this.nextId++, live: 0 };
      this.peers.set(peerKey, rec);
    }
    rec.live++;
    const slot = (this.head + this.count) % this.capacity;
    this.count++;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) >>> 0;
    this.slotPeer[slot] = rec;
    this.slotMid[slot] = messageId;
    this.slotExpires[slot] = now + lifetimeMs;
    this.replyLen[slot] = -1;
    this.slotExchange[slot] = undefined;
    this.index.set(rec.id, messageId, slot);
    return slot;
  }

  generation(slot: number): number {
    return this.slotGen[slot]!;
  }

  /** A copy of the stored reply (safe to hand to an asynchronous send), if any. */
  reply(slot: number): Uint8Array | undefined {
    const len = this.replyLen[slot]!;
    if (len < 0) return undefined;
    const off = this.replyOff[slot]!;
    return this.bytes.slice(off, off + len);
  }

  exchange(slot: number): ServerExchange | undefined {
    return this.slotExchange[slot];
  }

  setExchange(slot: number, gen: number, sx: ServerExchange | undefined): void {
    if (slot >= 0 && this.slotGen[slot] === gen) this.slotExchange[slot] = sx;
  }

  /** Stores the reply to replay for duplicates (copied into the slab). */
  setReply(slot: number, gen: number, data: Uint8Array): void {
    if (slot < 0 || this.slotGen[slot] !== gen) return;
    const slab = this.bytes;
    const len = data.length;
    if (len > slab.length >> 2) return; // never the case for CoAP-sized replies with the default slab
    if (this.writePos + len > slab.length) {
      // Wrap: the regions in the unused tail are the oldest; drop them.
      while (this.qCount > 0 && this.qOff[this.qHead]! >= this.writePos) this.dropRegion();
      this.writePos = 0;
    }
    const from = this.writePos;
    const to = from + len;
    while (this.qCount > 0) {
      const off = this.qOff[this.qHead]!;
      if (!(off < to && off + this.qLen[this.qHead]! > from)) break;
      this.dropRegion();
    }
    if (this.qCount === this.qSlot.length) this.dropRegion();
    slab.set(data, from);
    const q = (this.qHead + this.qCount) % this.qSlot.length;
    this.qSlot[q] = slot;
    this.qGen[q] = gen;
    this.qOff[q] = from;
    this.qLen[q] = len;
    this.qCount++;
    this.replyOff[slot] = from;
    this.replyLen[slot] = len;
    this.writePos = to;
  }

  clear(): void {
    this.peers.clear();
    this.index.clear();
    this.freeIds.length = 0;
    this.nextId = 0;
    this.slotPeer.fill(undefined);
    this.slotExchange.fill(undefined);
    this.replyLen.fill(-1);
    this.head = 0;
    this.count = 0;
    this.qHead = 0;
    this.qCount = 0;
    this.writePos = 0;
  }

  /** The oldest reply's bytes are about to be overwritten: its record forgets the reply. */
  private dropRegion(): void {
    const h = this.qHead;
    const slot = this.qSlot[h]!;
    if (this.slotGen[slot] === this.qGen[h] && this.replyOff[slot] === this.qOff[h]) this.replyLen[slot] = -1;
    this.qHead = (h + 1) % this.qSlot.length;
    this.qCount--;
  }

  private evictOldest(): void {
    const slot = this.head;
    const rec = this.slotPeer[slot];
    if (rec !== undefined) {
      this.index.delete(rec.id, this.slotMid[slot]!, slot);
      if (--rec.live === 0 && this.peers.get(rec.key) === rec) {
        this.peers.delete(rec.key);
        this.freeIds.push(rec.id);
      }
    }
    this.slotPeer[slot] = undefined;
    this.slotExchange[slot] = undefined;
    this.replyLen[slot] = -1;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) >>> 0;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }
}
