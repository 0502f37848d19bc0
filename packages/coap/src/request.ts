/** The request value a resource handler receives. */
import {
  type CoapMessage,
  type CoapOption,
  decodeUtf8,
  getAccept,
  getContentFormat,
  getObserve,
  getUriPath,
  getUriQuery,
} from '@lwm2m-ts/codec';
import { type Method, methodName } from './method';
import type { Peer } from './transport';

export interface CoapRequest {
  /** The authenticated peer (transport identity, or OSCORE identity set by a layer). */
  readonly peer: Peer;
  /** Method name; undefined for a request code without one. */
  readonly method: Method | undefined;
  readonly code: number;
  /** Uri-Path segments. */
  readonly path: readonly string[];
  /** Uri-Query values ("ep=node1", "lt=300"). */
  readonly query: readonly string[];
  /** Values of `:name` (and `*`) segments of the matched route. */
  readonly params: Readonly<Record<string, string>>;
  readonly options: readonly CoapOption[];
  /** Complete body (block-wise uploads are reassembled before the handler runs). */
  readonly payload: Uint8Array;
  readonly contentFormat: number | undefined;
  readonly accept: number | undefined;
  /** Observe option value (0 register, 1 deregister). */
  readonly observe: number | undefined;
  /**
   * For a registration (Observe 0, GET/FETCH, observable route): true when the engine keeps
   * the observer if the answer is 2.xx; false when its `maxObservers` cap is full, and the
   * answer then goes out without Observe (RFC 7641 §4.1), so the handler must not record an
   * observation. True while a notification is rendered; undefined for any other request.
   */
  readonly observing?: boolean | undefined;
  /** The request message as received (after layers and block-wise reassembly). */
  readonly message: CoapMessage;
  /** Value of the first `name=value` query parameter (`name` alone gives ''). */
  queryParam(name: string): string | undefined;
  /** Payload as UTF-8 text. */
  text(): string;
}

export class IncomingRequest implements CoapRequest {
  readonly method: Method | undefined;
  readonly code: number;
  readonly path: readonly string[];
  params: Readonly<Record<string, string>> = EMPTY_PARAMS;
  /** Set by the engine's observe layer (see CoapRequest.observing). */
  observing: boolean | undefined = undefined;
  private queryCache: readonly string[] | undefined;

  constructor(
    readonly peer: Peer,
    readonly message: CoapMessage,
  ) {
    this.code = message.code;
    this.method = methodName(message.code);
    this.path = getUriPath(message);
  }

  get query(): readonly string[] {
    this.queryCache ??= getUriQuery(this.message);
    return this.queryCache;
  }
  get options(): readonly CoapOption[] {
    return this.message.options;
  }
  get payload(): Uint8Array {
    return this.message.payload;
  }
  get contentFormat(): number | undefined {
    return getContentFormat(this.message);
  }
  get accept(): number | undefined {
    return getAccept(this.message);
  }
  get observe(): number | undefined {
    return getObserve(this.message);
  }

  queryParam(name: string): string | undefined {
    for (const q of this.query) {
      if (q === name) return '';
      if (q.length > name.length && q.charCodeAt(name.length) === 61 && q.startsWith(name))
        return q.slice(name.length + 1);
    }
    return undefined;
  }

  text(): string {
    return decodeUtf8(this.message.payload);
  }
}

const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
