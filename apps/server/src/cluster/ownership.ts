/**
 * Which node owns a device's flow: the one that last received its Register or Update (or, after a
 * failover, a notification or Send). The record lives with the registration in Redis
 * (`RedisRegistrationStore` with `recordOwner`): a Register or Update written through this node
 * records it in the same script, removing the registration removes it, and a take-over noticed
 * from traffic is one claim. This class adds the node's own view (which endpoints it serves), so
 * steady traffic costs no Redis call at all.
 */
import type { RedisRegistrationStore } from '@lwm2m-ts/store-redis';

export class Ownership {
  readonly #store: RedisRegistrationStore;
  readonly nodeId: string;
  /** Endpoints this node believes it owns (saves a round trip per notification). */
  readonly #mine = new Set<string>();

  constructor(store: RedisRegistrationStore, nodeId: string) {
    this.#store = store;
    this.nodeId = nodeId;
  }

  /** This node takes the endpoint; resolves with the previous owner (undefined: none or us). */
  async claim(endpoint: string): Promise<string | undefined> {
    this.#mine.add(endpoint);
    const previous = await this.#store.claimOwner(endpoint, this.nodeId);
    return previous !== this.nodeId ? previous : undefined;
  }

  /** Claims only when this node does not already own it (by its own view): one call per device, not per message. */
  async claimIfNew(endpoint: string): Promise<string | undefined> {
    if (this.#mine.has(endpoint)) return undefined;
    return this.claim(endpoint);
  }

  /** A Register or Update of the endpoint was written through this node (which recorded it as owner). */
  recorded(endpoint: string): void {
    this.#mine.add(endpoint);
  }

  /** Another node took the endpoint (seen on the event stream). */
  lost(endpoint: string): boolean {
    return this.#mine.delete(endpoint);
  }

  /** Forgets the whole local view (lost-device messages may have been missed): traffic claims again. */
  forgetAll(): void {
    this.#mine.clear();
  }

  /** The registration ended (its owner record went with it). */
  ended(endpoint: string): void {
    this.#mine.delete(endpoint);
  }

  ownsLocally(endpoint: string): boolean {
    return this.#mine.has(endpoint);
  }

  async ownerOf(endpoint: string): Promise<string | undefined> {
    return this.#store.ownerOf(endpoint);
  }

  async deviceCounts(nodeIds: readonly string[]): Promise<Map<string, number>> {
    return this.#store.ownedCounts(nodeIds);
  }
}
