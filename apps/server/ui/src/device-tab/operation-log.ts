/**
 * The log of what the server did to this tab's device: a Transport decorator decodes every
 * frame, files each request from the server as an entry, puts the answer's code on it and
 * counts the notifications that follow an Observe (same token). Bounded; never throws into the
 * transport (a frame it cannot decode is the engine's business).
 */
import { type Transport, tapTransport } from '@lwm2m-ts/coap';
import { type CoapMessage, decodeReliable, decodeUdp, formatCode, getObserve } from '@lwm2m-ts/codec';
import { classifyServerRequest, type OperationKind, tokenHex } from './server-operation';

export interface OperationEntry {
  readonly id: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly kind: OperationKind;
  readonly path: string;
  readonly query: string;
  /** The client's answer, e.g. "2.05"; undefined until it went out. */
  readonly code?: string;
  /** Notifications sent for this observation so far. */
  readonly notifications: number;
}

export interface OperationLogOptions {
  /** Entries kept (oldest dropped first); default 200. */
  readonly capacity?: number;
  readonly now?: () => number;
}

export class OperationLog {
  #entries: OperationEntry[] = [];
  /** token -> id of the entry it belongs to (answers and notifications carry the request's token). */
  readonly #byToken = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  readonly #capacity: number;
  readonly #now: () => number;
  #nextId = 1;

  constructor(options: OperationLogOptions = {}) {
    this.#capacity = options.capacity ?? 200;
    this.#now = options.now ?? Date.now;
  }

  /** Newest last; a new array after every change (for React). */
  entries(): readonly OperationEntry[] {
    return this.#entries;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clear(): void {
    this.#entries = [];
    this.#byToken.clear();
    this.#changed();
  }

  /** A frame the server sent to the client. */
  inbound(message: CoapMessage): void {
    const op = classifyServerRequest(message);
    if (!op) return;
    const entry: OperationEntry = {
      id: this.#nextId++,
      at: this.#now(),
      kind: op.kind,
      path: op.path,
      query: op.query,
      notifications: 0,
    };
    // A new request with a token in use (a re-registered observation) takes the token over.
    this.#byToken.set(op.token, entry.id);
    const entries = [...this.#entries, entry];
    while (entries.length > this.#capacity) {
      const dropped = entries.shift()!;
      for (const [token, id] of this.#byToken) if (id === dropped.id) this.#byToken.delete(token);
    }
    this.#entries = entries;
    this.#changed();
  }

  /** A frame the client sent: the answer to a logged request, or a notification. */
  outbound(message: CoapMessage): void {
    if (message.code >> 5 < 2 || message.code >> 5 > 5) return;
    const token = tokenHex(message.token);
    const id = this.#byToken.get(token);
    if (id === undefined) return;
    const index = this.#entries.findIndex((e) => e.id === id);
    const entry = this.#entries[index];
    if (!entry) return;
    const observing = entry.kind === 'observe' || entry.kind === 'observe-composite';
    let updated: OperationEntry;
    if (entry.code === undefined) updated = { ...entry, code: formatCode(message.code) };
    else if (observing && getObserve(message) !== undefined)
      updated = { ...entry, notifications: entry.notifications + 1 };
    else return;
    // Only an observation keeps its token after the answer; an error answer ends it too.
    if (!observing || message.code >> 5 !== 2 || getObserve(message) === undefined) this.#byToken.delete(token);
    const entries = [...this.#entries];
    entries[index] = updated;
    this.#entries = entries;
    this.#changed();
  }

  /** Wraps a transport so that every frame through it passes the log first (undecodable ones are skipped). */
  tap(transport: Transport): Transport {
    const decode = (frame: Uint8Array): CoapMessage =>
      transport.framing === 'datagram'
        ? decodeUdp(frame)
        : decodeReliable(frame, transport.framing === 'websocket' ? 'ws' : 'tcp');
    return tapTransport(transport, {
      sent: (frame) => this.outbound(decode(frame)),
      received: (frame) => this.inbound(decode(frame)),
    });
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
