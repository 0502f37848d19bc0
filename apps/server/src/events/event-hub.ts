/** Fan-out of API events to live subscribers (SSE streams, WebSockets), with a filter each. */
import type { ApiEvent, ApiEventType } from './api-event';

export interface EventFilter {
  /** Only events of this endpoint. */
  readonly endpoint?: string;
  /** Only these event types (all when absent). */
  readonly types?: ReadonlySet<ApiEventType>;
}

type Subscriber = { readonly filter: EventFilter; readonly deliver: (event: ApiEvent) => void };

export class EventHub {
  readonly #subscribers = new Set<Subscriber>();

  publish(event: ApiEvent): void {
    for (const s of this.#subscribers) {
      if (s.filter.endpoint !== undefined && s.filter.endpoint !== event.endpoint) continue;
      if (s.filter.types && !s.filter.types.has(event.type)) continue;
      try {
        s.deliver(event);
      } catch {
        // A broken subscriber (closed socket) must not stop the others; it unsubscribes on close.
      }
    }
  }

  subscribe(filter: EventFilter, deliver: (event: ApiEvent) => void): () => void {
    const subscriber = { filter, deliver };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get size(): number {
    return this.#subscribers.size;
  }
}
