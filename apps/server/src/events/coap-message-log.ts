/**
 * A per-client CoAP message log: a Transport decorator sees every frame in and out, decodes it
 * and files it under the endpoint its peer belongs to (a bounded ring per endpoint).
 */
import { type Peer, type Transport, tapTransport } from '@lwm2m-ts/coap';
import {
  type CoapMessage,
  decodeReliable,
  decodeUdp,
  getContentFormat,
  getObserve,
  getUriPath,
  getUriQuery,
} from '@lwm2m-ts/codec';
import type { CoapLogEntry } from './api-event';

const TYPES = ['CON', 'NON', 'ACK', 'RST'];
const METHODS: Record<number, string> = {
  1: 'GET',
  2: 'POST',
  3: 'PUT',
  4: 'DELETE',
  5: 'FETCH',
  6: 'PATCH',
  7: 'iPATCH',
};

export function codeText(code: number): string {
  if (code === 0) return 'EMPTY';
  const cls = code >> 5;
  if (cls === 0) return METHODS[code] ?? `0.${String(code & 31).padStart(2, '0')}`;
  return `${cls}.${String(code & 31).padStart(2, '0')}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Control characters other than tab, newline and carriage return: not worth showing as text. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}
function printable(payload: Uint8Array): string {
  const cut = payload.subarray(0, 256);
  try {
    const text = decoder.decode(cut);
    if (!hasControlCharacters(text)) return text;
  } catch {
    // not UTF-8: hex below
  }
  return Array.from(cut.subarray(0, 128), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function describeMessage(
  message: CoapMessage,
  direction: 'in' | 'out',
  peer: Peer,
  at: number,
  reliable: boolean,
): CoapLogEntry {
  const contentFormat = getContentFormat(message);
  const observe = getObserve(message);
  return {
    at,
    direction,
    peer: peer.address.includes(':') ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`,
    type: reliable ? '' : (TYPES[message.type] ?? '?'),
    code: codeText(message.code),
    messageId: message.messageId,
    token: Array.from(message.token, (b) => b.toString(16).padStart(2, '0')).join(''),
    path: `/${getUriPath(message).join('/')}`,
    query: getUriQuery(message).join('&'),
    ...(contentFormat !== undefined ? { contentFormat } : {}),
    ...(observe !== undefined ? { observe } : {}),
    payloadBytes: message.payload.length,
    payload: printable(message.payload),
  };
}

export interface MessageLogOptions {
  /** Entries kept per endpoint. */
  readonly capacity?: number;
  readonly now?: () => number;
  /** The endpoint a peer is registered as, if any. */
  readonly endpointOf: (peer: Peer, transport: Transport) => string | undefined;
  readonly onEntry?: (endpoint: string, entry: CoapLogEntry) => void;
}

export class CoapMessageLog {
  readonly #entries = new Map<string, CoapLogEntry[]>();
  /** peer key -> endpoint named by its last Register (the answer goes out before the server maps the peer). */
  readonly #registerHints = new Map<string, string>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(private readonly options: MessageLogOptions) {
    this.#capacity = options.capacity ?? 200;
    this.#now = options.now ?? Date.now;
  }

  /** Wraps a transport so that every frame through it is logged (bad frames are skipped). */
  wrap(transport: Transport): Transport {
    return tapTransport(transport, {
      sent: (frame, peer) => this.#record(frame, peer, 'out', transport),
      received: (frame, peer) => this.#record(frame, peer, 'in', transport),
    });
  }

  list(endpoint: string): CoapLogEntry[] {
    return [...(this.#entries.get(endpoint) ?? [])];
  }

  forget(endpoint: string): void {
    this.#entries.delete(endpoint);
  }

  #record(frame: Uint8Array, peer: Peer, direction: 'in' | 'out', transport: Transport): void {
    const message =
      transport.framing === 'datagram'
        ? decodeUdp(frame)
        : decodeReliable(frame, transport.framing === 'websocket' ? 'ws' : 'tcp');
    if (direction === 'in' && message.code === 2) {
      // A Register names its endpoint before the server knows the peer.
      const ep = getUriQuery(message).find((q) => q.startsWith('ep='));
      if (ep) {
        const hint = `${transport.scheme} ${peer.key}`;
        this.#registerHints.delete(hint);
        this.#registerHints.set(hint, ep.slice(3));
        if (this.#registerHints.size > 10_000) this.#registerHints.delete(this.#registerHints.keys().next().value!);
      }
    }
    const endpoint =
      this.options.endpointOf(peer, transport) ?? this.#registerHints.get(`${transport.scheme} ${peer.key}`);
    if (endpoint === undefined) return;
    const entry = describeMessage(message, direction, peer, this.#now(), transport.reliable);
    let list = this.#entries.get(endpoint);
    if (!list) {
      list = [];
      this.#entries.set(endpoint, list);
    }
    list.push(entry);
    if (list.length > this.#capacity) list.shift();
    this.options.onEntry?.(endpoint, entry);
  }
}
