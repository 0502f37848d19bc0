/**
 * An `EditableSecurityStore` wrapper that keeps a synchronous index of PSK keys, trusted raw
 * public keys and OSCORE credentials by recipient id. TLS PSK callbacks and the DTLS RPK trust
 * check are synchronous, so they read this index; every change made through the wrapper (the
 * REST API, the UI) is visible at once, and is announced to `onChange` listeners (the OSCORE
 * layer drops a context whose credentials changed).
 */
import type { EditableSecurityStore, SecurityInfo } from '@lwm2m-ts/server';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export class IndexedSecurityStore implements EditableSecurityStore {
  readonly #pskByIdentity = new Map<string, Uint8Array>();
  readonly #rpkEndpoints = new Map<string, string>();
  /** OSCORE recipient id (hex) -> endpoint -> info. */
  readonly #oscoreByRecipientId = new Map<string, Map<string, SecurityInfo>>();
  readonly #listeners = new Set<(endpoint: string, info: SecurityInfo | undefined) => void>();

  private constructor(readonly inner: EditableSecurityStore) {}

  static async wrap(inner: EditableSecurityStore): Promise<IndexedSecurityStore> {
    const store = new IndexedSecurityStore(inner);
    for (const info of await inner.list()) store.#index(info);
    return store;
  }

  #index(info: SecurityInfo): void {
    if (info.psk) this.#pskByIdentity.set(info.psk.identity, info.psk.key);
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
    if (info.psk) this.#pskByIdentity.delete(info.psk.identity);
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
    return this.#pskByIdentity.get(identity);
  }

  /** True when some endpoint's security info holds this DER SubjectPublicKeyInfo. */
  trustsRawPublicKey(spki: Uint8Array): boolean {
    return this.#rpkEndpoints.has(hex(spki));
  }

  async put(info: SecurityInfo): Promise<{ previous?: SecurityInfo }> {
    const result = await this.inner.put(info);
    this.#unindex(result.previous);
    this.#index(info);
    this.#changed(info.endpoint, info);
    return result;
  }

  async remove(endpoint: string): Promise<SecurityInfo | undefined> {
    const removed = await this.inner.remove(endpoint);
    this.#unindex(removed);
    if (removed) this.#changed(endpoint, undefined);
    return removed;
  }

  list(): Promise<SecurityInfo[]> {
    return this.inner.list();
  }
  getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined> {
    return this.inner.getByEndpoint(endpoint);
  }
  getByPskIdentity(identity: string): Promise<SecurityInfo | undefined> {
    return this.inner.getByPskIdentity(identity);
  }
  getByOscoreRecipientId(recipientId: Uint8Array): Promise<SecurityInfo | undefined> {
    return this.inner.getByOscoreRecipientId(recipientId);
  }
}
