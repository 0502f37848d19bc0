/** Responses: what a handler returns (CoapResponseInit) and what a request resolves to (CoapResponse). */
import {
  type CoapMessage,
  type CoapOption,
  createMessage,
  createOption,
  decodeUtf8,
  encodeUtf8,
  formatCode,
  getContentFormat,
  getLocationPath,
  getMaxAge,
  getObserve,
  getOption,
  isSuccessCode,
  OptionNumber,
  sortOptions,
} from '@lwm2m-ts/codec';
import type { Peer } from './transport';

/** A handler's answer. Every field is optional: `{}` means the method's default success code, no body. */
export interface CoapResponseInit {
  /** Response code byte (e.g. CoapCode.CONTENT); default by method (2.05 GET/FETCH, 2.04 POST/PUT/PATCH, 2.02 DELETE). */
  readonly code?: number;
  /** Body; strings are sent as UTF-8. Large bodies are sent block-wise automatically. */
  readonly payload?: Uint8Array | string;
  readonly contentFormat?: number;
  /** Max-Age in seconds. */
  readonly maxAge?: number;
  readonly etag?: Uint8Array;
  /** Location-Path segments (e.g. 2.01 Created of a registration). */
  readonly locationPath?: readonly string[];
  readonly options?: readonly CoapOption[];
}

const EMPTY = new Uint8Array(0);

/** Builds the response message (token of the request, no type or message id yet). */
export function buildResponseMessage(token: Uint8Array, code: number, init: CoapResponseInit): CoapMessage {
  const options: CoapOption[] = init.options ? [...init.options] : [];
  if (init.etag) options.push(createOption(OptionNumber.ETAG, init.etag));
  if (init.locationPath) for (const s of init.locationPath) options.push(createOption(OptionNumber.LOCATION_PATH, s));
  if (init.contentFormat !== undefined) options.push(createOption(OptionNumber.CONTENT_FORMAT, init.contentFormat));
  if (init.maxAge !== undefined) options.push(createOption(OptionNumber.MAX_AGE, init.maxAge));
  const p = init.payload;
  const payload = p === undefined ? EMPTY : typeof p === 'string' ? encodeUtf8(p) : p;
  return createMessage({ code, token, options: options.length > 1 ? sortOptions(options) : options, payload });
}

/** What `endpoint.request()` resolves to: any response code (protocol failure is a value). */
export class CoapResponse {
  constructor(
    readonly message: CoapMessage,
    /** The responding peer (with the identity a layer such as OSCORE established). */
    readonly peer: Peer,
  ) {}

  get code(): number {
    return this.message.code;
  }
  /** "2.05" */
  get codeText(): string {
    return formatCode(this.message.code);
  }
  get payload(): Uint8Array {
    return this.message.payload;
  }
  get options(): readonly CoapOption[] {
    return this.message.options;
  }
  get contentFormat(): number | undefined {
    return getContentFormat(this.message);
  }
  /** Observe sequence number of a notification. */
  get observe(): number | undefined {
    return getObserve(this.message);
  }
  /** Max-Age in seconds (60 when absent, RFC 7252 §5.10.5). */
  get maxAge(): number {
    return getMaxAge(this.message);
  }
  get etag(): Uint8Array | undefined {
    return getOption(this.message, OptionNumber.ETAG);
  }
  get locationPath(): string[] {
    return getLocationPath(this.message);
  }
  isSuccess(): boolean {
    return isSuccessCode(this.message.code);
  }
  text(): string {
    return decodeUtf8(this.message.payload);
  }
}
