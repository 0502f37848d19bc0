/**
 * Queue mode: requests for a sleeping device wait here, in order, each with its own expiry.
 * The interface fits a durable store; the in-memory default is below.
 */
import type { DeviceManagementRequest } from '../request/downlink-requests';

export interface QueuedRequest {
  readonly id: string;
  readonly endpoint: string;
  readonly request: DeviceManagementRequest;
  readonly enqueuedAt: number;
  /** Epoch ms after which the request is dropped unsent (`queuedExpired` event). */
  readonly expiresAt: number;
  /** Response timeout to use when it is finally sent. */
  readonly timeoutMs?: number;
}

export interface RequestQueueStore {
  enqueue(item: QueuedRequest): Promise<void>;
  /** Queued requests of one endpoint, oldest first. */
  list(endpoint: string): Promise<QueuedRequest[]>;
  /** Removes and returns the oldest queued request of an endpoint. */
  shift(endpoint: string): Promise<QueuedRequest | undefined>;
  remove(id: string): Promise<QueuedRequest | undefined>;
  /** Removes every request of an endpoint. */
  clear(endpoint: string): Promise<QueuedRequest[]>;
  /** Removes and returns requests whose `expiresAt` passed. */
  removeExpired(now: number): Promise<QueuedRequest[]>;
  /** Endpoints with at least one queued request. */
  endpoints(): Promise<string[]>;
}

export class InMemoryRequestQueueStore implements RequestQueueStore {
  readonly #byEndpoint = new Map<string, QueuedRequest[]>();
  readonly #endpointById = new Map<string, string>();

  async enqueue(item: QueuedRequest) {
    const list = this.#byEndpoint.get(item.endpoint) ?? [];
    list.push(item);
    this.#byEndpoint.set(item.endpoint, list);
    this.#endpointById.set(item.id, item.endpoint);
  }

  async list(endpoint: string) {
    return [...(this.#byEndpoint.get(endpoint) ?? [])];
  }

  async shift(endpoint: string) {
    const list = this.#byEndpoint.get(endpoint);
    const item = list?.shift();
    if (item) this.#endpointById.delete(item.id);
    if (list?.length === 0) this.#byEndpoint.delete(endpoint);
    return item;
  }

  async remove(id: string) {
    const endpoint = this.#endpointById.get(id);
    if (endpoint === undefined) return undefined;
    const list = this.#byEndpoint.get(endpoint) ?? [];
    const index = list.findIndex((item) => item.id === id);
    const [item] = index >= 0 ? list.splice(index, 1) : [];
    this.#endpointById.delete(id);
    if (list.length === 0) this.#byEndpoint.delete(endpoint);
    return item;
  }

  async clear(endpoint: string) {
    const list = this.#byEndpoint.get(endpoint) ?? [];
    this.#byEndpoint.delete(endpoint);
    for (const item of list) this.#endpointById.delete(item.id);
    return list;
  }

  async removeExpired(now: number) {
    const expired: QueuedRequest[] = [];
    for (const [endpoint, list] of this.#byEndpoint) {
      const kept = list.filter((item) => {
        if (item.expiresAt > now) return true;
        expired.push(item);
        this.#endpointById.delete(item.id);
        return false;
      });
      if (kept.length === 0) this.#byEndpoint.delete(endpoint);
      else this.#byEndpoint.set(endpoint, kept);
    }
    return expired;
  }

  async endpoints() {
    return [...this.#byEndpoint.keys()];
  }
}
