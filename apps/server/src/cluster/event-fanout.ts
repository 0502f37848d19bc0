/**
 * Cluster event stream: every node appends its API events to one Redis stream
 * (`cluster:events`, capped at `maxLength` entries) and delivers to its own SSE / WebSocket
 * subscribers only what it reads back from that stream. So every node's subscribers see every
 * node's events, in one order (a device's events come from one node at a time, in the order it
 * emitted them), each with the stream id a late subscriber replays from (SSE Last-Event-ID or
 * `?since=`). CoAP message-log events stay on the node that saw the message (high volume).
 *
 * A node reads the stream only while it has subscribers (and `idleStopMs` after the last one
 * left), on a connection of its own: a node nobody watches pays nothing for other nodes' events.
 * `whenLive()` starts the reader and resolves once its start point is fixed, so a route that
 * awaits it before confirming a subscription misses nothing published after the confirmation.
 *
 * An entry carries the event's type (`t`) and endpoint (`ep`) beside its JSON (`e`), so a node
 * reading it decides from those whether anyone here wants it, and parses the JSON only then; its
 * own events it takes back as the objects it published (`s`: its sequence number), not re-parsed.
 * A turn's appends go out as one script call (event-appender.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { API_EVENT_TYPES, type ApiEvent, type ApiEventType } from '../events/api-event';
import { type EventDelivery, type EventFilter, EventHub, matchesFilter } from '../events/event-hub';
import { EventAppender } from './event-appender';
import { type StreamEntry, StreamReader, type StreamReaderOptions } from './stream-reader';

const LOCAL_ONLY: ReadonlySet<ApiEventType> = new Set(['coap']);
const EVENT_TYPES: ReadonlySet<string> = new Set(API_EVENT_TYPES);
/** Own events published but not read back yet, at most (the oldest are dropped: then parsed). */
const PENDING_LIMIT = 10_000;
/** At most this many entries per XRANGE page, and this many pages per replay. */
const REPLAY_PAGE = 500;
const REPLAY_PAGES = 20;
const LINE_BREAK = /[\r\n]/;
/** Wait before starting the reader again after a failed start while subscribers wait. */
const START_RETRY_MS = 1000;

export interface ClusterEventHubOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly nodeId: string;
  /** Entries the stream keeps (approximately; default 10 000). */
  readonly maxLength?: number;
  /** How long the reader runs on after the last subscriber left (ms, default 30 000). */
  readonly idleStopMs?: number;
  /** Options of the reader's XREAD loop (block time, batch size). */
  readonly reader?: Omit<StreamReaderOptions, 'onError'>;
  readonly onError?: (error: unknown) => void;
}

export class ClusterEventHub extends EventHub {
  readonly #o: ClusterEventHubOptions;
  readonly #stream: string;
  readonly #appender: EventAppender;
  /** Sequence number of this node's last published event (per process, from 1). */
  #seq = 0;
  /** Tells this process's entries from those of another process with the same node id. */
  readonly #instance = randomBytes(4).toString('hex');
  /** Published events (and their JSON) by sequence number until they are read back (in sequence order). */
  readonly #pending = new Map<number, { readonly event: ApiEvent; readonly json: string }>();
  /** The stream reader while it runs (or starts): resolves once its start point is fixed. */
  #reading: { readonly reader: StreamReader; readonly started: Promise<void> } | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ClusterEventHubOptions) {
    super();
    this.#o = options;
    this.#stream = `${options.prefix}cluster:events`;
    this.#appender = new EventAppender(options.redis, this.#stream, options.maxLength ?? 10_000);
  }

  get stream(): string {
    return this.#stream;
  }

  /** True while the stream is being read (someone here listens, or did a moment ago). */
  get reading(): boolean {
    return this.#reading !== undefined;
  }

  override subscribe(filter: EventFilter, deliver: EventDelivery): () => void {
    const unsubscribe = super.subscribe(filter, deliver);
    this.#startReading().catch(() => undefined); // failures are reported through onError
    return () => {
      unsubscribe();
      if (this.size === 0) this.#scheduleStop();
    };
  }

  /** Starts reading (if not yet) and resolves when events published from now on will be delivered. */
  override whenLive(): Promise<void> {
    const started = this.#startReading();
    if (this.size === 0) this.#scheduleStop(); // a caller that never subscribes does not keep it running
    return started;
  }

  /** Stops reading for good (the node leaves). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#appender.flush();
    clearTimeout(this.#idleTimer);
    await this.#stopReading();
  }

  #startReading(): Promise<void> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#reading) return this.#reading.started;
    if (this.#closed) return Promise.reject(new Error('event hub closed'));
    const connection = this.#o.redis.duplicate();
    // Its outages show as failed reads (reported by the reader), not as unhandled events.
    connection.on('error', () => {});
    const reader = new StreamReader(connection, {
      ...this.#o.reader,
      ...(this.#o.onError ? { onError: this.#o.onError } : {}),
    });
    reader.add(this.#stream, (entry) => this.#received(entry));
    const started = reader.start().catch(async (error: unknown) => {
      if (this.#reading?.reader === reader) this.#reading = undefined;
      await reader.stop();
      this.#o.onError?.(error);
      // Subscribers still waiting: try again (Redis may be restarting).
      setTimeout(() => {
        if (this.size > 0 && !this.#reading && !this.#closed) this.#startReading().catch(() => undefined);
      }, START_RETRY_MS).unref();
      throw error;
    });
    this.#reading = { reader, started };
    return started;
  }

  #scheduleStop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.size === 0) this.#stopReading().catch(() => undefined);
    }, this.#o.idleStopMs ?? 30_000);
    this.#idleTimer.unref();
  }

  async #stopReading(): Promise<void> {
    const reading = this.#reading;
    this.#reading = undefined;
    this.#pending.clear(); // nothing will be read back
    if (!reading) return;
    await reading.started.catch(() => undefined);
    await reading.reader.stop();
  }

  override publish(event: ApiEvent): void {
    if (LOCAL_ONLY.has(event.type)) {
      this.deliverLocally(event);
      return;
    }
    const seq = ++this.#seq;
    const json = JSON.stringify(event);
    // Read back as the object itself while the stream is read; nobody here listens otherwise.
    if (this.#reading) this.#pending.set(seq, { event, json });
    if (this.#pending.size > PENDING_LIMIT) this.#pending.delete(this.#pending.keys().next().value as number);
    this.#appender.append([this.#o.nodeId, `${this.#instance}.${seq}`, event.type, event.endpoint, json], (error) => {
      this.#pending.delete(seq);
      this.#o.onError?.(error);
    });
  }

  override async replay(sinceId: string, filter: EventFilter): Promise<{ id: string; event: ApiEvent }[]> {
    if (!/^\d+(-\d+)?$/.test(sinceId)) return [];
    const out: { id: string; event: ApiEvent }[] = [];
    let start = `(${sinceId}`;
    for (let page = 0; page < REPLAY_PAGES; page++) {
      const entries = await this.#o.redis.xrange(this.#stream, start, '+', 'COUNT', REPLAY_PAGE);
      for (const [id, flat] of entries) {
        const type = fieldOf(flat, 't');
        const endpoint = fieldOf(flat, 'ep');
        // Entries that say what they are skip the parse when the filter does not want them.
        if (type !== undefined && endpoint !== undefined && !filterTakes(filter, type, endpoint)) continue;
        const event = parseEvent(fieldOf(flat, 'e'));
        if (event && matchesFilter(filter, event)) out.push({ id, event });
      }
      if (entries.length < REPLAY_PAGE) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
    return out;
  }

  #received(entry: StreamEntry): void {
    const { node: from = '', t: type, ep: endpoint, e: json } = entry.fields;
    const published = from === this.#o.nodeId ? this.#takePublished(entry.fields.s) : undefined;
    if (published) {
      this.deliverLocally(published.event, entry.id, published.json);
      return;
    }
    if (type !== undefined && endpoint !== undefined && EVENT_TYPES.has(type) && json !== undefined) {
      if (!this.wants(type as ApiEventType, endpoint)) return;
      const event = parseEvent(json);
      // The stored text is what the publishing node's JSON.stringify wrote: reused unless it holds
      // a line break (another writer's formatting would break line-based consumers such as SSE).
      if (event) this.deliverLocally(event, entry.id, LINE_BREAK.test(json) ? undefined : json);
      return;
    }
    // An entry without t / ep (another writer): the JSON says what it is.
    const event = parseEvent(json);
    if (event) this.deliverLocally(event, entry.id);
  }

  /** The event this process published as `s`; ones published before it and never read back are dropped. */
  #takePublished(s: string | undefined): { readonly event: ApiEvent; readonly json: string } | undefined {
    if (s === undefined || !s.startsWith(this.#instance) || s[this.#instance.length] !== '.') return undefined;
    const n = Number(s.slice(this.#instance.length + 1));
    if (!Number.isSafeInteger(n)) return undefined;
    for (const key of this.#pending.keys()) {
      if (key >= n) break;
      this.#pending.delete(key);
    }
    const event = this.#pending.get(n);
    this.#pending.delete(n);
    return event;
  }
}

function filterTakes(filter: EventFilter, type: string, endpoint: string): boolean {
  if (filter.endpoint !== undefined && filter.endpoint !== endpoint) return false;
  return !filter.types || filter.types.has(type as ApiEventType);
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
