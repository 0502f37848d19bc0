/**
 * An `EditableSecurityStore` wrapper that keeps a synchronous index of PSK keys, trusted raw
 * public keys and OSCORE credentials by recipient id. TLS PSK callbacks and the DTLS RPK trust
 * check are synchronous, so they read this index; every change made through the wrapper (the
 * REST API, the UI) is visible at once, and is announced to `onChange` listeners (the OSCORE
 * layer drops a context whose credentials changed).
 *
 * With a `changes` feed (cluster mode: every node's writes to the shared store are announced by
 * endpoint) the index also learns other nodes' changes: it re-reads that endpoint's info from the
 * store and replaces what it held. A read that a newer change overtook is dropped (the newer
 * change's own read follows), and a feed interruption (`undefined`) re-lists the whole store.
 * While such a feed is live the index is a complete copy of the store, so `getByEndpoint` (every
 * Register's authorization) is answered from it, except for an endpoint whose change is still
 * being read or whose last read failed, and during a listing: those go to the store.
 */
import { isDeepStrictEqual } from 'node:util';
import type { EditableSecurityStore, SecurityInfo } from '@lwm2m-ts/server';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Endpoints whose security info changed in the store, from any writer; `undefined`: re-read all. */
export interface SecurityChangeFeed {
  onChange(listener: (endpoint: string | undefined) => void): () => void;
  /**
   * True while the feed is connected (no change can be missed). While it is, and the index has
   * listed the store since the feed last came back, `getByEndpoint` answers from the index.
   */
  readonly changesLive?: boolean;
}

export interface IndexedSecurityStoreOptions {
  /** Changes made to `inner` by others (another cluster node); without it only this wrapper's writes are seen. */
  readonly changes?: SecurityChangeFeed;
  /** A re-read after a change failed (the index keeps what it had until the next change or resync). */
  readonly onError?: (error: unknown) => void;
}

export class IndexedSecurityStore implements EditableSecurityStore {
  /** PSK identity -> owning endpoint and key. */
  readonly #pskByIdentity = new Map<string, { readonly endpoint: string; readonly key: Uint8Array }>();
  readonly #rpkEndpoints = new Map<string, string>();
  /** OSCORE recipient id (hex) -> endpoint -> info. */
  readonly #oscoreByRecipientId = new Map<string, Map<string, SecurityInfo>>();
  readonly #listeners = new Set<(endpoint: string, info: SecurityInfo | undefined) => void>();
  /** What the index holds for each endpoint (so a change can take the old entries out). */
  readonly #byEndpoint = new Map<string, SecurityInfo>();
  /** Endpoint -> sequence number of its latest change: only that change's read may apply. */
  readonly #latest = new Map<string, number>();
  #sequence = 0;
  /** Endpoints changed while a full listing runs (their own reads decide them, not the listing). */
  #changedDuringList: Set<string> | undefined;
  #listGeneration = 0;
  readonly #onError: (error: unknown) => void;
  #unsubscribe: (() => void) | undefined;
  readonly #changes: SecurityChangeFeed | undefined;
  /** The last listing succeeded and no interruption came since: the index holds the whole store. */
  #listed = false;
  /** Endpoints whose re-read failed: the index may be stale for them until a read or listing succeeds. */
  readonly #unsure = new Set<string>();

  private constructor(
    readonly inner: EditableSecurityStore,
    options: IndexedSecurityStoreOptions,
  ) {
    this.#onError = options.onError ?? (() => {});
    this.#changes = options.changes;
  }

  /** Lists `inner` (paged by the store) into the index; with `changes`, follows it from then on. */
  static async wrap(
    inner: EditableSecurityStore,
    options: IndexedSecurityStoreOptions = {},
  ): Promise<IndexedSecurityStore> {
    const store = new IndexedSecurityStore(inner, options);
    // Listen before listing: a change during the listing is read again, not lost.
    store.#unsubscribe = options.changes?.onChange((endpoint) => {
      if (endpoint === undefined) {
        store.#listed = false;
        store.#resync().catch(store.#onError);
      } else store.#reread(endpoint).catch(store.#onError);
    });
    try {
      await store.#resync();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  /** Stops following the change feed. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** A new change of `endpoint`: its number, and stale reads of older ones are dropped. */
  #touch(endpoint: string): number {
    const sequence = ++this.#sequence;
    this.#latest.set(endpoint, sequence);
    this.#changedDuringList?.add(endpoint);
    return sequence;
  }

  /** Whether `sequence` is still the latest change of `endpoint` (and forgets it when done). */
  #isLatest(endpoint: string, sequence: number): boolean {
    if (this.#latest.get(endpoint) !== sequence) return false;
    this.#latest.delete(endpoint);
    return true;
  }

  async #reread(endpoint: string): Promise<void> {
    const sequence = this.#touch(endpoint);
    let info: SecurityInfo | undefined;
    try {
      info = await this.inner.getByEndpoint(endpoint);
    } catch (error) {
      if (this.#latest.get(endpoint) === sequence) {
        this.#latest.delete(endpoint);
        this.#unsure.add(endpoint);
      }
      throw error;
    }
    if (this.#isLatest(endpoint, sequence)) {
      this.#unsure.delete(endpoint);
      this.#apply(endpoint, info);
    }
  }

  /** Replaces the whole index with a listing of the store (at start, and after a feed interruption). */
  async #resync(): Promise<void> {
    const generation = ++this.#listGeneration;
    const changed = new Set<string>();
    this.#changedDuringList = changed;
    let listed: SecurityInfo[];
    try {
      listed = await this.inner.list();
    } finally {
      if (this.#changedDuringList === changed) this.#changedDuringList = undefined;
    }
    if (generation !== this.#listGeneration) return; // a newer listing replaces this one
    this.#listed = true;
    // Endpoints changed during the listing keep their own reads' verdict (and doubt).
    for (const endpoint of [...this.#unsure]) if (!changed.has(endpoint)) this.#unsure.delete(endpoint);
    const seen = new Set<string>();
    for (const info of listed) {
      seen.add(info.endpoint);
      if (!changed.has(info.endpoint)) this.#apply(info.endpoint, info);
    }
    for (const endpoint of [...this.#byEndpoint.keys()]) {
      if (!seen.has(endpoint) && !changed.has(endpoint)) this.#apply(endpoint, undefined);
    }
  }

  /** Makes the index hold `info` for `endpoint` (undefined: nothing); tells listeners if that changed it. */
  #apply(endpoint: string, info: SecurityInfo | undefined, notify = true): void {
    const previous = this.#byEndpoint.get(endpoint);
    this.#unindex(previous);
    if (info) {
      this.#index(info);
      this.#byEndpoint.set(endpoint, info);
    } else this.#byEndpoint.delete(endpoint);
    if (notify && !isDeepStrictEqual(previous, info)) this.#changed(endpoint, info);
  }

  #index(info: SecurityInfo): void {
    if (info.psk) this.#pskByIdentity.set(info.psk.identity, { endpoint: info.endpoint, key: info.psk.key });
    if (info.rpk) this.#rpkEndpoints.set(hex(info.rpk.publicKey), info.endpoint);
    if (info.oscore) {
      const key = hex(info.oscore.recipientId);
      const byEndpoint = this.#oscoreByRecipientId.get(key) ?? new Map<string, SecurityInfo>();
      byEndpoint.set(info.endpoint, info);
      this.#oscoreByRecipientId.set(key, byEndpoint);
    }
  }

  #unindex(info: SecurityInfo | undefined): void {
    if (!info) return;
    // Only its own entries: another endpoint may hold this identity by now (changes apply out of order).
    if (info.psk && this.#pskByIdentity.get(info.psk.identity)?.endpoint === info.endpoint)
      this.#pskByIdentity.delete(info.psk.identity);
    if (info.rpk && this.#rpkEndpoints.get(hex(info.rpk.publicKey)) === info.endpoint)
      this.#rpkEndpoints.delete(hex(info.rpk.publicKey));
    if (info.oscore) {
      const key = hex(info.oscore.recipientId);
      const byEndpoint = this.#oscoreByRecipientId.get(key);
      byEndpoint?.delete(info.endpoint);
      if (byEndpoint?.size === 0) this.#oscoreByRecipientId.delete(key);
    }
  }

  #changed(endpoint: string, info: SecurityInfo | undefined): void {
    for (const listener of this.#listeners) listener(endpoint, info);
  }

  /** Called after every put / remove made through this wrapper (`info` undefined: removed). */
  onChange(listener: (endpoint: string, info: SecurityInfo | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Security infos holding this OSCORE recipient id (several: different ID contexts), synchronously. */
  oscoreInfos(recipientId: Uint8Array): readonly SecurityInfo[] {
    const byEndpoint = this.#oscoreByRecipientId.get(hex(recipientId));
    return byEndpoint ? [...byEndpoint.values()] : [];
  }

  /** The PSK of an identity (synchronous). */
  pskKey(identity: string): Uint8Array | undefined {
    return this.#pskByIdentity.get(identity)?.key;
  }

  /** True when some endpoint's security info holds this DER SubjectPublicKeyInfo. */
  trustsRawPublicKey(spki: Uint8Array): boolean {
    return this.#rpkEndpoints.has(hex(spki));
  }

  async put(info: SecurityInfo): Promise<{ previous?: SecurityInfo }> {
    const result = await this.inner.put(info);
    this.#touch(info.endpoint); // a read of an older change still in flight must not undo this
    this.#latest.delete(info.endpoint);
    if (result.previous && result.previous.endpoint === info.endpoint) this.#unindex(result.previous);
    this.#apply(info.endpoint, info, false);
    this.#changed(info.endpoint, info);
    return result;
  }

  async remove(endpoint: string): Promise<SecurityInfo | undefined> {
    const removed = await this.inner.remove(endpoint);
    this.#touch(endpoint);
    this.#latest.delete(endpoint);
    this.#unindex(removed);
    this.#apply(endpoint, undefined, false);
    if (removed) this.#changed(endpoint, undefined);
    return removed;
  }

  list(): Promise<SecurityInfo[]> {
    return this.inner.list();
  }
  getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined> {
    if (this.#current(endpoint)) return Promise.resolve(this.#byEndpoint.get(endpoint));
    return this.inner.getByEndpoint(endpoint);
  }

  /** Whether the index holds the store's current info for `endpoint` (see the class comment). */
  #current(endpoint: string): boolean {
    return (
      this.#changes?.changesLive === true &&
      this.#listed &&
      this.#changedDuringList === undefined &&
      !this.#latest.has(endpoint) &&
      !this.#unsure.has(endpoint)
    );
  }
  getByPskIdentity(identity: string): Promise<SecurityInfo | undefined> {
    return this.inner.getByPskIdentity(identity);
  }
  getByOscoreRecipientId(recipientId: Uint8Array): Promise<SecurityInfo | undefined> {
    return this.inner.getByOscoreRecipientId(recipientId);
  }
}
