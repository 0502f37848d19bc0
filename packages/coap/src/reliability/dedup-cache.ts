/**
 * RFC 7252 §4.5 message deduplication: remembers recent message ids per peer for
 * EXCHANGE_LIFETIME (CON) / NON_LIFETIME (NON), with the reply to replay for a duplicate.
 * Bounded: at most `capacity` records (oldest evicted first) and at most `maxReplyBytes` of
 * replies. The reply slab starts small (4 KiB) and doubles only when the next reply would
 * overwrite a reply whose record is still live, so an endpoint that sees little traffic (or has
 * a small `capacity`) holds little memory; at the cap the oldest replies are overwritten.
 *
 * Built for the hot path and the garbage collector: records live in typed arrays (no object per
 * message), evicted oldest first through a FIFO of slot numbers, replies are copied into one
 * circular byte slab, and lookups are one string-keyed Map per peer then an open-addressing
 * (peer id, message id) table. A record is addressed by its slot and a generation number, so a
 * stale handle to a reused slot is harmless. The record arrays start at 256 slots and double
 * while more records are live (up to `capacity`); a slot keeps its number when they grow.
 */
import type { Clock } from '../clock';
import type { ServerExchange } from '../exchange';
import { MidIndex } from './mid-index';

/** Reply slab and region queue sizes before any growth. */
const INITIAL_SLAB_BYTES = 4096;
const INITIAL_REGIONS = 64;
/** Record slots before any growth. */
const INITIAL_RECORDS = 256;

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
  /** Record slots allocated (grows by doubling up to `capacity`). */
  private slots: number;
  /** Live slots oldest first: a ring of `slots` entries from `head`. */
  private order: Int32Array;
  private head = 0;
  private count = 0;
  /** Slots freed by eviction, reused first; then `fresh`, the first never-used slot. */
  private free: Int32Array;
  private freeCount = 0;
  private fresh = 0;
  private readonly slotPeer: (PeerRecords | undefined)[];
  private slotMid: Int32Array;
  private slotExpires: Float64Array;
  private slotGen: Uint32Array;
  private replyOff: Int32Array;
  private replyLen: Int32Array;
  private readonly slotExchange: (ServerExchange | undefined)[];
  // Reply bytes: a circular slab, regions queued in write order; both grow on demand.
  private bytes: Uint8Array;
  private readonly maxReplyBytes: number;
  private writePos = 0;
  private readonly maxRegions: number;
  private qSlot: Int32Array;
  private qGen: Uint32Array;
  private qOff: Int32Array;
  private qLen: Int32Array;
  private qHead = 0;
  private qCount = 0;

  constructor(
    private readonly clock: Clock,
    capacity: number,
    /** Reply bytes kept at most; default 128 per record, at least 256 KiB (allocated as needed). */
    maxReplyBytes = Math.max(256 * 1024, capacity * 128),
  ) {
    if (!(capacity >= 1)) throw new RangeError('dedup capacity must be >= 1');
    this.capacity = capacity;
    const slots = Math.min(capacity, INITIAL_RECORDS);
    this.slots = slots;
    this.index = new MidIndex(slots);
    this.order = new Int32Array(slots);
    this.free = new Int32Array(slots);
    this.slotPeer = new Array<PeerRecords | undefined>(slots).fill(undefined);
    this.slotExchange = new Array<ServerExchange | undefined>(slots).fill(undefined);
    this.slotMid = new Int32Array(slots);
    this.slotExpires = new Float64Array(slots);
    this.slotGen = new Uint32Array(slots);
    this.replyOff = new Int32Array(slots);
    this.replyLen = new Int32Array(slots).fill(-1);
    this.maxReplyBytes = maxReplyBytes;
    this.bytes = new Uint8Array(Math.min(INITIAL_SLAB_BYTES, maxReplyBytes));
    this.maxRegions = capacity * 2;
    const q = Math.min(INITIAL_REGIONS, this.maxRegions);
    this.qSlot = new Int32Array(q);
    this.qGen = new Uint32Array(q);
    this.qOff = new Int32Array(q);
    this.qLen = new Int32Array(q);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held in typed arrays (records, index, reply slab and its queue), for memory budgets. */
  get allocatedBytes(): number {
    const q = this.qSlot.byteLength + this.qGen.byteLength + this.qOff.byteLength + this.qLen.byteLength;
    const records =
      this.order.byteLength +
      this.free.byteLength +
      this.slotMid.byteLength +
      this.slotExpires.byteLength +
      this.slotGen.byteLength +
      this.replyOff.byteLength +
      this.replyLen.byteLength +
      2 * 8 * this.slots; // slotPeer, slotExchange (one pointer each)
    return this.bytes.byteLength + q + records + this.index.allocatedBytes;
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
    while (this.count > 0 && (this.count >= this.capacity || this.slotExpires[this.order[this.head]!]! <= now))
      this.evictOldest();
    if (this.count === this.slots) this.growRecords();
    let rec = this.peers.get(peerKey);
    if (rec === undefined) {
      rec = { key: peerKey, id: this.freeIds.pop() ?? this.nextId++, live: 0 };
      this.peers.set(peerKey, rec);
    }
    rec.live++;
    const slot = this.freeCount > 0 ? this.free[--this.freeCount]! : this.fresh++;
    this.order[(this.head + this.count) % this.slots] = slot;
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
    const len = data.length;
    if (len > this.maxReplyBytes >> 2) return; // never the case for CoAP-sized replies with the default cap
    const from = this.place(len);
    const to = from + len;
    if (this.qCount === this.qSlot.length && !this.growQueue()) this.dropRegion();
    this.bytes.set(data, from);
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

  /**
   * Where the next reply of `len` bytes goes: after the last one, or at the start once the end is
   * reached, dropping the oldest replies in the way; when one of those still answers a live
   * record and the slab is below its cap, the slab grows instead.
   */
  private place(len: number): number {
    const now = this.clock.now();
    if (len > this.bytes.length) this.grow(len, now);
    for (;;) {
      const end = this.bytes.length;
      if (this.writePos + len > end) {
        // Wrap: the regions in the unused tail are the oldest; drop them.
        if (this.dropsLive(this.writePos, end, now) && this.grow(len, now)) continue;
        while (this.qCount > 0 && this.qOff[this.qHead]! >= this.writePos) this.dropRegion();
        this.writePos = 0;
      }
      const from = this.writePos;
      const to = from + len;
      if (this.dropsLive(from, to, now) && this.grow(len, now)) continue;
      while (this.qCount > 0) {
        const off = this.qOff[this.qHead]!;
        if (!(off < to && off + this.qLen[this.qHead]! > from)) break;
        this.dropRegion();
      }
      return from;
    }
  }

  /** Whether one of the oldest regions overlapping [from, to) still answers a live record. */
  private dropsLive(from: number, to: number, now: number): boolean {
    const n = this.qSlot.length;
    for (let i = 0, h = this.qHead; i < this.qCount; i++, h = (h + 1) % n) {
      const off = this.qOff[h]!;
      if (!(off < to && off + this.qLen[h]! > from)) return false;
      if (this.isLive(h, now)) return true;
    }
    return false;
  }

  private isLive(h: number, now: number): boolean {
    const slot = this.qSlot[h]!;
    return (
      this.slotGen[slot] === this.qGen[h] &&
      this.replyOff[slot] === this.qOff[h] &&
      this.replyLen[slot]! >= 0 &&
      this.slotExpires[slot]! > now
    );
  }

  /**
   * A larger slab (double, or twice the live bytes plus `len`, up to the cap) with the live
   * replies copied to its start in queue order and the dead ones dropped. False at the cap.
   */
  private grow(len: number, now: number): boolean {
    const old = this.bytes;
    if (old.length >= this.maxReplyBytes) return false;
    const n = this.qSlot.length;
    let live = 0;
    for (let i = 0, h = this.qHead; i < this.qCount; i++, h = (h + 1) % n)
      if (this.isLive(h, now)) live += this.qLen[h]!;
    let size = old.length * 2;
    while (size < 2 * (live + len)) size *= 2;
    const slab = new Uint8Array(Math.min(size, this.maxReplyBytes));
    let pos = 0;
    let kept = 0;
    for (let i = 0, r = this.qHead; i < this.qCount; i++, r = (r + 1) % n) {
      const slot = this.qSlot[r]!;
      const off = this.qOff[r]!;
      const l = this.qLen[r]!;
      if (!this.isLive(r, now)) {
        if (this.slotGen[slot] === this.qGen[r] && this.replyOff[slot] === off) this.replyLen[slot] = -1;
        continue;
      }
      slab.set(old.subarray(off, off + l), pos);
      const w = (this.qHead + kept++) % n; // never ahead of r: entries move towards the head
      this.qSlot[w] = slot;
      this.qGen[w] = this.qGen[r]!;
      this.qOff[w] = pos;
      this.qLen[w] = l;
      this.replyOff[slot] = pos;
      pos += l;
    }
    this.qCount = kept;
    this.bytes = slab;
    this.writePos = pos;
    return true;
  }

  /** Doubles the record arrays (up to `capacity`); every slot keeps its number. */
  private growRecords(): void {
    const old = this.slots;
    const slots = Math.min(this.capacity, old * 2);
    const grown = <A extends Int32Array | Uint32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(slots);
      b.set(a);
      return b;
    };
    this.slotMid = grown(this.slotMid, (n) => new Int32Array(n));
    this.slotExpires = grown(this.slotExpires, (n) => new Float64Array(n));
    this.slotGen = grown(this.slotGen, (n) => new Uint32Array(n));
    this.replyOff = grown(this.replyOff, (n) => new Int32Array(n));
    this.replyLen = grown(this.replyLen, (n) => new Int32Array(n));
    this.replyLen.fill(-1, old);
    this.free = grown(this.free, (n) => new Int32Array(n));
    for (let i = old; i < slots; i++) {
      this.slotPeer.push(undefined);
      this.slotExchange.push(undefined);
    }
    const order = new Int32Array(slots);
    for (let i = 0; i < this.count; i++) order[i] = this.order[(this.head + i) % old]!;
    this.order = order;
    this.head = 0;
    this.slots = slots;
    this.index.reserve(slots);
  }

  /** Doubles the region queue (up to two per record), keeping its order. False at the cap. */
  private growQueue(): boolean {
    const n = this.qSlot.length;
    if (n >= this.maxRegions) return false;
    const size = Math.min(n * 2, this.maxRegions);
    const slot = new Int32Array(size);
    const gen = new Uint32Array(size);
    const off = new Int32Array(size);
    const len = new Int32Array(size);
    for (let i = 0, h = this.qHead; i < this.qCount; i++, h = (h + 1) % n) {
      slot[i] = this.qSlot[h]!;
      gen[i] = this.qGen[h]!;
      off[i] = this.qOff[h]!;
      len[i] = this.qLen[h]!;
    }
    this.qSlot = slot;
    this.qGen = gen;
    this.qOff = off;
    this.qLen = len;
    this.qHead = 0;
    return true;
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
    this.freeCount = 0;
    this.fresh = 0;
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
    const slot = this.order[this.head]!;
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
    this.head = (this.head + 1) % this.slots;
    this.count--;
    this.free[this.freeCount++] = slot;
  }
}
