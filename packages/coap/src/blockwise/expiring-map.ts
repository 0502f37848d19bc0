/** A Map with a size cap and per-entry expiry, oldest evicted first; for transfer state. */
import type { Clock } from '../clock';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class ExpiringMap<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Inserts or refreshes (moves to the young end). */
  set(key: string, value: V): void {
    const now = this.clock.now();
    this.entries.delete(key);
    for (const [k, e] of this.entries) {
      if (e.expiresAt > now && this.entries.size < this.capacity) break;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, expiresAt: now + this.lifetimeMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix` (a peer that went away). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }
}
