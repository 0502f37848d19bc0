/**
 * Names the LwM2M operation a CoAP request from the server carries (LwM2M 1.1 transport
 * binding, section 6.4): GET is Read, Discover (Accept link-format) or Observe / Cancel
 * (Observe 0 / 1); PUT is Write or, without payload but with a query, Write-Attributes; POST is
 * Create (/o), partial Write (/o/i) or Execute (/o/i/r); FETCH / iPATCH are the composite ones.
 */
import {
  CoapCode,
  type CoapMessage,
  ContentFormat,
  getAccept,
  getObserve,
  getUriPath,
  getUriQuery,
} from '@lwm2m-ts/codec';

export type OperationKind =
  | 'read'
  | 'discover'
  | 'observe'
  | 'cancel-observe'
  | 'write'
  | 'write-attributes'
  | 'execute'
  | 'create'
  | 'delete'
  | 'read-composite'
  | 'observe-composite'
  | 'cancel-observe-composite'
  | 'write-composite'
  | 'other';

export interface ServerOperation {
  readonly kind: OperationKind;
  /** "/3303/0/5700", or "/" for the root. */
  readonly path: string;
  /** The request's query (Write-Attributes: "pmin=1&pmax=5"), "" when none. */
  readonly query: string;
  /** The token in hex: responses and notifications carry it too. */
  readonly token: string;
}

export const tokenHex = (token: Uint8Array): string =>
  Array.from(token, (b) => b.toString(16).padStart(2, '0')).join('');

function kindOf(message: CoapMessage, depth: number, hasQuery: boolean): OperationKind {
  const observe = getObserve(message);
  switch (message.code) {
    case CoapCode.GET:
      if (observe === 0) return 'observe';
      if (observe === 1) return 'cancel-observe';
      return getAccept(message) === ContentFormat.LINK_FORMAT ? 'discover' : 'read';
    case CoapCode.PUT:
      return message.payload.length === 0 && hasQuery ? 'write-attributes' : 'write';
    case CoapCode.POST:
      if (depth === 1) return 'create';
      if (depth === 2) return 'write';
      if (depth === 3) return 'execute';
      return 'other';
    case CoapCode.DELETE:
      return 'delete';
    case CoapCode.FETCH:
      if (observe === 0) return 'observe-composite';
      if (observe === 1) return 'cancel-observe-composite';
      return 'read-composite';
    case CoapCode.IPATCH:
      return 'write-composite';
    default:
      return 'other';
  }
}

/** The operation of a request; undefined for responses, empty messages and RFC 8323 signals. */
export function classifyServerRequest(message: CoapMessage): ServerOperation | undefined {
  if (message.code === 0 || message.code >> 5 !== 0) return undefined;
  const segments = getUriPath(message);
  const query = getUriQuery(message).join('&');
  const depth = segments.every((s) => /^\d+$/.test(s)) ? segments.length : -1;
  return {
    kind: kindOf(message, depth, query !== ''),
    path: `/${segments.join('/')}`,
    query,
    token: tokenHex(message.token),
  };
}
