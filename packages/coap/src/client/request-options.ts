/** What `endpoint.request()` / `endpoint.observe()` take, and turning it into a request message. */
import {
  type CoapMessage,
  type CoapOption,
  createMessage,
  createOption,
  encodeUtf8,
  OptionNumber,
  sortOptions,
} from '@lwm2m-ts/codec';
import type { Method } from '../method';
import type { Peer } from '../transport';

export interface RequestCommon {
  readonly method: Method | Lowercase<Method> | 'iPATCH' | number;
  readonly payload?: Uint8Array | string;
  readonly contentFormat?: number;
  readonly accept?: number;
  /** CON (default) or NON; meaningless on reliable transports. */
  readonly confirmable?: boolean;
  /** Give up (CoapTimeoutError) when no response came in this time; default EXCHANGE_LIFETIME. */
  readonly timeoutMs?: number;
  /** Extra options (ETag, If-Match, Echo, ...). */
  readonly options?: readonly CoapOption[];
  /** Preferred response block size in bytes (16..1024): early Block2 negotiation (RFC 7959 §4). */
  readonly block2Size?: number;
  /** Upload block size in bytes (16..1024); default the endpoint's preferred size. */
  readonly block1Size?: number;
}

export interface UriTarget {
  /** coap://host:port/path?query — the scheme must be the transport's. */
  readonly uri: string;
}

export interface PeerTarget {
  readonly peer: Peer;
  /** "/a/b" or ["a", "b"]. */
  readonly path?: string | readonly string[];
  /** "a=1&b=2" or ["a=1", "b=2"]. */
  readonly query?: string | readonly string[];
}

export type RequestOptions = RequestCommon & (UriTarget | PeerTarget);

export type ObserveOptions = Omit<RequestCommon, 'method'> & {
  /** GET (default) or FETCH. */
  readonly method?: 'GET' | 'FETCH' | 'get' | 'fetch';
  /** Notifications kept while nobody reads the iterator; the oldest are dropped beyond (default 64). */
  readonly bufferSize?: number;
} & (UriTarget | PeerTarget);

const segmentsOf = (p: string | readonly string[] | undefined, sep: string): readonly string[] =>
  p === undefined ? [] : typeof p === 'string' ? p.split(sep).filter((s) => s.length > 0) : p;

/** Uri-Path and Uri-Query options of a peer-form target. */
export function targetOptions(t: PeerTarget): CoapOption[] {
  const out: CoapOption[] = [];
  for (const s of segmentsOf(t.path, '/')) out.push(createOption(OptionNumber.URI_PATH, s));
  for (const q of segmentsOf(t.query, '&')) out.push(createOption(OptionNumber.URI_QUERY, q));
  return out;
}

/** The request message (no type/message id yet: the message layer sets them). */
export function buildRequestMessage(
  code: number,
  token: Uint8Array,
  targetOpts: readonly CoapOption[],
  o: Omit<RequestCommon, 'method'>,
  extra?: CoapOption,
): CoapMessage {
  const options: CoapOption[] = [...targetOpts];
  if (o.contentFormat !== undefined) options.push(createOption(OptionNumber.CONTENT_FORMAT, o.contentFormat));
  if (o.accept !== undefined) options.push(createOption(OptionNumber.ACCEPT, o.accept));
  if (o.options) options.push(...o.options);
  if (extra) options.push(extra);
  const p = o.payload;
  return createMessage({
    code,
    token,
    options: sortOptions(options),
    ...(p !== undefined ? { payload: typeof p === 'string' ? encodeUtf8(p) : p } : {}),
  });
}
