/**
 * In-memory RdStore with indexes on ep, d, et, rt and if (registration attributes and link
 * attributes alike), so an exact-value lookup reads one index entry instead of every
 * registration, and an expiry heap so lifetime sweeps touch only what expired.
 */

import { ExpiryHeap } from './expiry-heap';
import type { Criterion } from './query';
import type { RdStore } from './rd-store';
import type { Registration } from './registration';

/** Attributes indexed by default. */
export const DEFAULT_INDEXED = ['ep', 'd', 'et', 'rt', 'if'] as const;

/**
 * The findByName key of (ep, d): injective, so the default sector (undefined) never meets an
 * empty-named one (''), and no separator inside ep or d can make two names collide.
 */
const nameKey = (ep: string, d: string | undefined): string => JSON.stringify(d === undefined ? [ep] : [ep, d]);

export interface MemoryRdStoreOptions {
  /** Attribute names to index (default ep, d, et, rt, if). */
  readonly indexed?: readonly string[];
}

export class MemoryRdStore implements RdStore {
  private readonly byId = new Map<string, Registration>();
  private readonly byName = new Map<string, string>();
  /** attribute name -> value (or space-separated token) -> ids */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly heap = new ExpiryHeap();

  constructor(options: MemoryRdStoreOptions = {}) {
    for (const n of options.indexed ?? DEFAULT_INDEXED) this.indexes.set(n, new Map());
  }

  async get(id: string): Promise<Registration | undefined> {
    return this.byId.get(id);
  }

  async findByName(ep: string, d: string | undefined): Promise<Registration | undefined> {
    const id = this.byName.get(nameKey(ep, d));
    return id === undefined ? undefined : this.byId.get(id);
  }

  async put(r: Registration): Promise<void> {
    const old = this.byId.get(r.id);
    const key = nameKey(r.ep, r.d);
    if (old) {
      this.unindex(old);
      // A replace that renames the endpoint or moves its sector gives up the old name.
      const oldKey = nameKey(old.ep, old.d);
      if (oldKey !== key && this.byName.get(oldKey) === r.id) this.byName.delete(oldKey);
    }
    this.byId.set(r.id, r);
    this.byName.set(key, r.id);
    this.index(r);
    this.heap.push(r.expiresAt, r.id);
    if (this.heap.length > 2 * this.byId.size + 1024)
      this.heap.rebuild([...this.byId.values()].map((x) => ({ time: x.expiresAt, id: x.id })));
  }

  async delete(id: string): Promise<Registration | undefined> {
    return this.remove(id);
  }

  async candidates(criteria: readonly Criterion[]): Promise<Iterable<Registration>> {
    let best: Set<string> | undefined;
    for (const c of criteria) {
      const idx = this.indexes.get(c.name);
      if (!idx || c.value === true || c.value === '' || c.value.endsWith('*') || c.value.includes(' ')) continue;
      const set = idx.get(c.value);
      if (!set) return [];
      if (!best || set.size < best.size) best = set;
    }
    if (!best) return this.byId.values();
    return this.resolve(best);
  }

  async takeExpired(now: number): Promise<Registration[]> {
    const out: Registration[] = [];
    for (;;) {
      const t = this.heap.peekTime();
      if (t === undefined || t > now) break;
      const e = this.heap.pop()!;
      const r = this.byId.get(e.id);
      if (r && r.expiresAt <= now) {
        this.remove(r.id);
        out.push(r);
      }
    }
    return out;
  }

  async nextExpiry(): Promise<number | undefined> {
    // Skip stale heap entries so the answer is the earliest live expiry.
    for (;;) {
      const t = this.heap.peekTime();
      if (t === undefined) return undefined;
      const e = this.heap.pop()!;
      const r = this.byId.get(e.id);
      if (r && r.expiresAt === e.time) {
        this.heap.push(e.time, e.id);
        return t;
      }
    }
  }

  async size(): Promise<number> {
    return this.byId.size;
  }

  /** Every registration (for status pages and tests). */
  all(): IterableIterator<Registration> {
    return this.byId.values();
  }

  private *resolve(ids: Set<string>): Generator<Registration> {
    for (const id of ids) {
      const r = this.byId.get(id);
      if (r) yield r;
    }
  }

  private remove(id: string): Registration | undefined {
    const r = this.byId.get(id);
    if (!r) return undefined;
    this.byId.delete(id);
    const k = nameKey(r.ep, r.d);
    if (this.byName.get(k) === id) this.byName.delete(k);
    this.unindex(r);
    return r;
  }

  private keysOf(r: Registration, name: string): Set<string> {
    const keys = new Set<string>();
    const add = (v: string | true | undefined) => {
      if (typeof v !== 'string' || v === '') return;
      keys.add(v);
      if (v.includes(' ')) for (const t of v.split(' ')) if (t !== '') keys.add(t);
    };
    if (name === 'ep') add(r.ep);
    else if (name === 'd') add(r.d);
    for (const a of r.attributes) if (a.name === name) add(a.value);
    for (const l of r.links) for (const a of l.attributes) if (a.name === name) add(a.value);
    return keys;
  }

  private index(r: Registration): void {
    for (const [name, idx] of this.indexes) {
      for (const k of this.keysOf(r, name)) {
        const set = idx.get(k);
        if (set) set.add(r.id);
        else idx.set(k, new Set([r.id]));
      }
    }
  }

  private unindex(r: Registration): void {
    for (const [name, idx] of this.indexes) {
      for (const k of this.keysOf(r, name)) {
        const set = idx.get(k);
        if (!set) continue;
        set.delete(r.id);
        if (set.size === 0) idx.delete(k);
      }
    }
  }
}
