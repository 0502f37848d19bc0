/**
 * RFC 7252 §4.5 message deduplication: remembers recent message ids per peer for
 * EXCHANGE_LIFETIME (CON) / NON_LIFETIME (NON), with the reply to replay for a duplicate.
 * Bounded: at most `capacity` entries, the oldest evicted first (Map keeps insertion order).
 */
import type { Clock } from '../clock';
import type { ServerExchange } from '../exchange';

export interface DedupEntry {
  expiresAt: number;
  /** Bytes sent in reply (ACK, piggybacked or NON response, empty ACK); replayed on a duplicate. */
  reply: Uint8Array | undefined;
  /** The served request still being processed, if this entry is a request. */
  exchange: ServerExchange | undefined;
}

export class DedupCache {
  private readonly entries = new Map<string, DedupEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
  ) {
    if (capacity < 1) throw new RangeError('dedup capacity must be >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `key`, if this message was seen within its lifetime. */
  get(key: string): DedupEntry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  add(key: string, lifetimeMs: number): DedupEntry {
    const now = this.clock.now();
    this.evict(now);
    const e: DedupEntry = { expiresAt: now + lifetimeMs, reply: undefined, exchange: undefined };
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops expired entries from the old end, then the oldest while over capacity. */
  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      if (e.expiresAt > now && this.entries.size < this.capacity) break;
      this.entries.delete(key);
    }
  }
}
