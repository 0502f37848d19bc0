/**
 * A reader of the server app's live event stream (`GET /api/events`, text/event-stream): an
 * incremental parser of server-sent events (WHATWG HTML §9.2 framing: `event:` / `data:` fields,
 * a blank line ends an event, `:` comments) and a connection that hands each event's JSON to a
 * callback. Bad input is counted, never thrown: a line longer than `maxLineBytes` is skipped, a
 * data field that is not JSON is counted in `malformed`.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  readonly #maxLine: number;
  #buffer = '';
  #skipping = false;
  #event = '';
  #data: string[] = [];
  /** Lines dropped for being longer than `maxLineBytes`. */
  overlongLines = 0;

  constructor(maxLineBytes = 1024 * 1024) {
    this.#maxLine = maxLineBytes;
  }

  /** Feeds a chunk (text, split anywhere); returns the events it completed. */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone "\r" at the very end may be the first half of "\r\n": wait for more.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
      if (this.#skipping) {
        this.#skipping = false; // the tail of an overlong line
        continue;
      }
      const event = this.#line(line);
      if (event) events.push(event);
    }
    if (this.#buffer.length > this.#maxLine) {
      this.overlongLines++;
      this.#buffer = '';
      this.#skipping = true;
    }
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') {
      const data = this.#data;
      const event = this.#event || 'message';
      this.#data = [];
      this.#event = '';
      return data.length > 0 ? { event, data: data.join('\n') } : undefined;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    return undefined; // id, retry and unknown fields carry nothing we need
  }
}

export interface EventStreamOptions {
  /** The node's HTTP base URL, e.g. http://127.0.0.1:27131. */
  readonly baseUrl: string;
  /** Event types to ask for (the `types` filter). */
  readonly types?: readonly string[];
  readonly onEvent: (event: Record<string, unknown>) => void;
  /** How long to wait for the response headers (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

export class EventStream {
  readonly #parser = new SseParser();
  readonly #response: IncomingMessage;
  /** Data fields that were not a JSON object. */
  malformed = 0;
  received = 0;
  #ended = false;

  private constructor(response: IncomingMessage, onEvent: (event: Record<string, unknown>) => void) {
    this.#response = response;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      for (const e of this.#parser.push(chunk)) {
        let value: unknown;
        try {
          value = JSON.parse(e.data);
        } catch {
          this.malformed++;
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          this.malformed++;
          continue;
        }
        this.received++;
        onEvent(value as Record<string, unknown>);
      }
    });
    response.on('close', () => {
      this.#ended = true;
    });
    response.on('error', () => {
      this.#ended = true;
    });
  }

  /** Opens the stream; resolves once the server answered 200 (its subscription is live by then). */
  static open(options: EventStreamOptions): Promise<EventStream> {
    const url = new URL('/api/events', options.baseUrl);
    if (options.types?.length) url.searchParams.set('types', options.types.join(','));
    return new Promise((resolve, reject) => {
      // Its own connection (agent: false): a long-lived stream must not take a pooled keep-alive socket.
      const req = httpRequest(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${url} answered ${res.statusCode}`));
          return;
        }
        resolve(new EventStream(res, options.onEvent));
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`GET ${url}: no answer within ${options.connectTimeoutMs ?? 5000} ms`)),
        options.connectTimeoutMs ?? 5000,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  close(): void {
    this.#response.destroy();
  }
}
