/** Test doubles for IndexedSecurityStore: a change feed driven by hand, a store whose reads can be held. */
import { InMemorySecurityStore, type SecurityInfo } from '@lwm2m-ts/server';
import type { SecurityChangeFeed } from './security-index';

export class ManualFeed implements SecurityChangeFeed {
  /** Connected (no change can be missed): the index may answer reads itself. */
  changesLive = true;
  readonly listeners = new Set<(endpoint: string | undefined) => void>();
  onChange(listener: (endpoint: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(endpoint: string | undefined): void {
    for (const listener of this.listeners) listener(endpoint);
  }
}

/** The shared store as another node sees it; reads can be held back to reorder them. */
export class HeldStore extends InMemorySecurityStore {
  hold = false;
  failReads = false;
  readonly held: (() => void)[] = [];
  async #gate(): Promise<void> {
    if (this.failReads) throw new Error('store unavailable');
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
  }
  override async getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined> {
    const value = await super.getByEndpoint(endpoint); // read now, answer when released
    await this.#gate();
    return value;
  }
  override async list(): Promise<SecurityInfo[]> {
    const value = await super.list();
    await this.#gate();
    return value;
  }
}
