/** Fan-out of API events to live subscribers (SSE streams, WebSockets), with a filter each. */
import type { ApiEvent, ApiEventType } from './api-event';

export interface EventFilter {
  /** Only events of this endpoint. */
  readonly endpoint?: string;
  /** Only these event types (all when absent). */
  readonly types?: ReadonlySet<ApiEventType>;
}

/**
 * `id`: the event's position in a replayable stream (cluster mode), for SSE `id:` / Last-Event-ID.
 * `json`: `JSON.stringify(event)` when the hub already has it (the cluster stream carries it), so a
 * subscriber that sends JSON need not serialize the event again.
 */
export type EventDelivery = (event: ApiEvent, id?: string, json?: string) => void;

type Subscriber = { readonly filter: EventFilter; readonly deliver: EventDelivery };

export function matchesFilter(filter: EventFilter, event: ApiEvent): boolean {
  if (filter.endpoint !== undefined && filter.endpoint !== event.endpoint) return false;
  return !filter.types || filter.types.has(event.type);
}

export class EventHub {
  readonly #subscribers = new Set<Subscriber>();

  publish(event: ApiEvent): void {
    this.deliverLocally(event);
  }

  /** Hands an event to this process's subscribers (a cluster hub publishes through Redis first). */
  protected deliverLocally(event: ApiEvent, id?: string, json?: string): void {
    for (const s of this.#subscribers) {
      if (!matchesFilter(s.filter, event)) continue;
      try {
        s.deliver(event, id, json);
      } catch {
        // A broken subscriber (closed socket) must not stop the others; it unsubscribes on close.
      }
    }
  }

  /**
   * Events after `sinceId` that match `filter`, oldest first, when this hub keeps a replayable
   * stream (cluster mode); undefined when it keeps none (single node: live events only).
   */
  async replay(_sinceId: string, _filter: EventFilter): Promise<{ id: string; event: ApiEvent }[] | undefined> {
    return undefined;
  }

  /**
   * Resolves once events published from now on reach subscribers (a cluster hub first starts
   * reading its stream); a route awaits it before telling the client it is subscribed.
   */
  whenLive(): Promise<void> {
    return Promise.resolve();
  }

  /** True when some subscriber takes events of this type and endpoint (before building one). */
  wants(type: ApiEventType, endpoint: string): boolean {
    for (const s of this.#subscribers) {
      if (s.filter.endpoint !== undefined && s.filter.endpoint !== endpoint) continue;
      if (!s.filter.types || s.filter.types.has(type)) return true;
    }
    return false;
  }

  subscribe(filter: EventFilter, deliver: EventDelivery): () => void {
    const subscriber = { filter, deliver };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get size(): number {
    return this.#subscribers.size;
  }
}
