/**
 * Cluster event stream: every node appends its API events to one Redis stream
 * (`cluster:events`, capped at `maxLength` entries) and delivers to its own SSE / WebSocket
 * subscribers only what it reads back from that stream. So every node sees every node's events,
 * in one order (a device's events come from one node at a time, in the order it emitted them),
 * each with the stream id a late subscriber replays from (SSE Last-Event-ID or `?since=`).
 * CoAP message-log events stay on the node that saw the message (high volume, per-node log).
 */
import type { Redis } from 'ioredis';
import type { ApiEvent, ApiEventType } from '../events/api-event';
import { type EventFilter, EventHub, matchesFilter } from '../events/event-hub';
import type { StreamEntry, StreamReader } from './stream-reader';

const LOCAL_ONLY: ReadonlySet<ApiEventType> = new Set(['coap']);
/** At most this many entries per XRANGE page, and this many pages per replay. */
const REPLAY_PAGE = 500;
const REPLAY_PAGES = 20;

export interface ClusterEventHubOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly nodeId: string;
  /** Entries the stream keeps (approximately; default 10 000). */
  readonly maxLength?: number;
  /** An event from another node (e.g. to notice that it took over a device). */
  readonly onRemoteEvent?: (event: ApiEvent, fromNode: string) => void;
  readonly onError?: (error: unknown) => void;
}

export class ClusterEventHub extends EventHub {
  readonly #o: ClusterEventHubOptions;
  readonly #stream: string;
  readonly #maxLength: number;

  constructor(options: ClusterEventHubOptions) {
    super();
    this.#o = options;
    this.#stream = `${options.prefix}cluster:events`;
    this.#maxLength = options.maxLength ?? 10_000;
  }

  get stream(): string {
    return this.#stream;
  }

  attach(reader: StreamReader): void {
    reader.add(this.#stream, (entry) => this.#received(entry));
  }

  override publish(event: ApiEvent): void {
    if (LOCAL_ONLY.has(event.type)) {
      this.deliverLocally(event);
      return;
    }
    // One connection sends commands in call order, so a node's events enter the stream in order.
    this.#o.redis
      .xadd(this.#stream, 'MAXLEN', '~', this.#maxLength, '*', 'node', this.#o.nodeId, 'e', JSON.stringify(event))
      .catch((error) => this.#o.onError?.(error));
  }

  override async replay(sinceId: string, filter: EventFilter): Promise<{ id: string; event: ApiEvent }[]> {
    if (!/^\d+(-\d+)?$/.test(sinceId)) return [];
    const out: { id: string; event: ApiEvent }[] = [];
    let start = `(${sinceId}`;
    for (let page = 0; page < REPLAY_PAGES; page++) {
      const entries = await this.#o.redis.xrange(this.#stream, start, '+', 'COUNT', REPLAY_PAGE);
      for (const [id, flat] of entries) {
        const event = parseEvent(fieldOf(flat, 'e'));
        if (event && matchesFilter(filter, event)) out.push({ id, event });
      }
      if (entries.length < REPLAY_PAGE) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
    return out;
  }

  #received(entry: StreamEntry): void {
    const event = parseEvent(entry.fields.e);
    if (!event) return;
    const from = entry.fields.node ?? '';
    if (from !== this.#o.nodeId) this.#o.onRemoteEvent?.(event, from);
    this.deliverLocally(event, entry.id);
  }
}

function fieldOf(flat: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return undefined;
}

/** A stream entry another writer may have put there: anything but an event object is skipped. */
export function parseEvent(json: string | undefined): ApiEvent | undefined {
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { type, endpoint } = value as { type?: unknown; endpoint?: unknown };
    return typeof type === 'string' && typeof endpoint === 'string' ? (value as ApiEvent) : undefined;
  } catch {
    return undefined;
  }
}
