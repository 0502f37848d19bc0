/**
 * CoAP URIs <-> request options: RFC 7252 §6.4 (decompose) and §6.5 (compose), for the UDP
 * schemes and the RFC 8323 §8 schemes (coap+tcp, coaps+tcp, coap+ws, coaps+ws).
 */
import { CodecError } from '../codec-error';
import type { CoapMessage, CoapOption } from './message';
import { OptionNumber } from './option-numbers';
import { decodeUint, decodeUtf8, encodeUint, encodeUtf8 } from './option-values';

export type CoapScheme = 'coap' | 'coaps' | 'coap+tcp' | 'coaps+tcp' | 'coap+ws' | 'coaps+ws';

export interface CoapUri {
  readonly scheme: CoapScheme;
  /** Lower-case reg-name, IPv4 address, or IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
  /** Percent-decoded Uri-Path segments ([] for "/" or no path). */
  readonly path: readonly string[];
  /** Percent-decoded Uri-Query arguments. */
  readonly query: readonly string[];
}

const DEFAULT_PORTS: Readonly<Record<CoapScheme, number>> = {
  coap: 5683,
  coaps: 5684,
  'coap+tcp': 5683,
  'coaps+tcp': 5684,
  'coap+ws': 80,
  'coaps+ws': 443,
};

export const isCoapScheme = (s: string): s is CoapScheme => Object.hasOwn(DEFAULT_PORTS, s);
export const defaultPort = (scheme: CoapScheme): number => DEFAULT_PORTS[scheme];
/** RFC 8323 §8.3: the WebSocket endpoint every coap+ws server exposes. */
export const WEBSOCKET_PATH = '/.well-known/coap';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** True for IPv4 dotted quads and IPv6 addresses (with or without brackets). */
export const isIpLiteral = (host: string): boolean => IPV4.test(host) || host.includes(':');

const HEX = '0123456789ABCDEF';
const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** Percent-decodes `s` as UTF-8; `at` is its offset in the whole URI (for errors). */
function percentDecode(s: string, at: number): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  const raw = encodeUtf8(s);
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x25) {
      bytes.push(b);
      continue;
    }
    const h = hexVal(raw[i + 1] ?? 0);
    const l = hexVal(raw[i + 2] ?? 0);
    if (h < 0 || l < 0) throw new CodecError('invalid percent-encoding in URI', { offset: at + s.indexOf('%') });
    bytes.push((h << 4) | l);
    i += 2;
  }
  try {
    return decodeUtf8(Uint8Array.from(bytes), true);
  } catch (cause) {
    throw new CodecError('percent-encoded bytes are not UTF-8', { offset: at, cause });
  }
}

// RFC 3986 unreserved / sub-delims / ":" / "@" (pchar), plus extra characters per component.
const PCHAR = "-._~!$&'()*+,;=:@";
function percentEncode(s: string, extra: string, excluded = ''): string {
  let out = '';
  for (const b of encodeUtf8(s)) {
    const c = String.fromCharCode(b);
    const ok =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      ((PCHAR.includes(c) || extra.includes(c)) && !excluded.includes(c));
    out += ok ? c : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** RFC 3986 authority+path+query split; CoAP URIs have no userinfo and no fragment. */
const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/;

/** Parses a coap/coaps/coap+tcp/coaps+tcp/coap+ws/coaps+ws URI (RFC 7252 §6.4 steps 1–8). */
export function parseCoapUri(uri: string): CoapUri {
  for (let k = 0; k < uri.length; k++) {
    const c = uri.charCodeAt(k);
    if (c <= 0x20 || c === 0x7f) throw new CodecError('whitespace or control character in URI', { offset: k });
  }
  const m = URI_RE.exec(uri);
  if (!m) throw new CodecError(`not an absolute URI with authority: ${uri}`, { offset: 0 });
  const scheme = m[1]!.toLowerCase();
  if (!isCoapScheme(scheme)) throw new CodecError(`not a CoAP scheme: ${scheme}`, { offset: 0 });
  if (m[5] !== undefined) throw new CodecError('CoAP URIs must not have a fragment', { offset: uri.indexOf('#') });
  const authority = m[2]!;
  const authAt = m[1]!.length + 3;
  if (authority.includes('@')) throw new CodecError('CoAP URIs have no userinfo', { offset: authAt });
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new CodecError('unterminated IPv6 literal', { offset: authAt });
    host = authority.slice(1, close).toLowerCase();
    if (!/^[0-9a-f:.]+(%25[\w.~-]+)?$/.test(host) || !host.includes(':')) {
      throw new CodecError('invalid IPv6 literal', { offset: authAt });
    }
    host = host.replace('%25', '%');
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':'))
      throw new CodecError('junk after IPv6 literal', { offset: authAt + close + 1 });
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    host = percentDecode(colon < 0 ? authority : authority.slice(0, colon), authAt).toLowerCase();
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
    if (host.includes(':')) throw new CodecError('IPv6 literal must be in brackets', { offset: authAt });
  }
  if (host === '') throw new CodecError('empty host in URI', { offset: authAt });
  let port = DEFAULT_PORTS[scheme];
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      throw new CodecError(`bad port: ${portText}`, { offset: authAt + authority.lastIndexOf(':') + 1 });
    }
    port = Number(portText);
  }
  const pathText = m[3]!;
  let at = authAt + authority.length;
  const path: string[] = [];
  if (pathText !== '' && pathText !== '/') {
    for (const seg of pathText.slice(1).split('/')) {
      at += 1;
      path.push(percentDecode(seg, at));
      at += seg.length;
    }
  }
  const query: string[] = [];
  if (m[4] !== undefined) {
    at = authAt + authority.length + pathText.length + 1;
    for (const arg of m[4].split('&')) {
      query.push(percentDecode(arg, at));
      at += arg.length + 1;
    }
  }
  return { scheme, host, port, path, query };
}

export interface CoapUriParts {
  readonly scheme: CoapScheme;
  readonly host: string;
  readonly port?: number;
  readonly path?: readonly string[];
  readonly query?: readonly string[];
}

/** Composes a URI (RFC 7252 §6.5); the default port is omitted, IPv6 hosts are bracketed. */
export function formatCoapUri(parts: CoapUriParts): string {
  const { scheme, host } = parts;
  if (!isCoapScheme(scheme)) throw new CodecError(`not a CoAP scheme: ${scheme}`);
  const port = parts.port ?? DEFAULT_PORTS[scheme];
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CodecError(`bad port: ${port}`);
  const h = host.includes(':') ? `[${host.replace('%', '%25')}]` : percentEncode(host, '', ':@');
  let uri = `${scheme}://${h}${port === DEFAULT_PORTS[scheme] ? '' : `:${port}`}`;
  const path = parts.path ?? [];
  if (path.length === 0) uri += '/';
  for (const seg of path) uri += `/${percentEncode(seg, '')}`;
  const query = parts.query ?? [];
  if (query.length > 0) uri += `?${query.map((q) => percentEncode(q, '/?', '&')).join('&')}`;
  return uri;
}

/**
 * Request options for a URI (RFC 7252 §6.4 steps 5–8): Uri-Host for reg-names (not for IP
 * literals, which are the destination), Uri-Port only when `destinationPort` is given and
 * differs, then Uri-Path and Uri-Query.
 */
export function uriToOptions(uri: string | CoapUri, opts: { destinationPort?: number } = {}): CoapOption[] {
  const u = typeof uri === 'string' ? parseCoapUri(uri) : uri;
  const out: CoapOption[] = [];
  if (!isIpLiteral(u.host)) out.push({ number: OptionNumber.URI_HOST, value: encodeUtf8(u.host) });
  if (opts.destinationPort !== undefined && opts.destinationPort !== u.port) {
    out.push({ number: OptionNumber.URI_PORT, value: encodeUint(u.port) });
  }
  for (const p of u.path) out.push({ number: OptionNumber.URI_PATH, value: encodeUtf8(p) });
  for (const q of u.query) out.push({ number: OptionNumber.URI_QUERY, value: encodeUtf8(q) });
  return out;
}

/**
 * The request URI from a message's options (RFC 7252 §6.5): Uri-Host / Uri-Port override the
 * destination given in `target`.
 */
/** `[::1]` -> `::1`: URIs carry IPv6 literals in brackets, sockets want them bare. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function optionsToUri(
  options: readonly CoapOption[] | Pick<CoapMessage, 'options'>,
  target: { scheme: CoapScheme; host: string; port?: number },
): string {
  const list = Array.isArray(options) ? options : (options as Pick<CoapMessage, 'options'>).options;
  let host = target.host;
  let port = target.port;
  const path: string[] = [];
  const query: string[] = [];
  for (const o of list as readonly CoapOption[]) {
    if (o.number === OptionNumber.URI_HOST) host = stripBrackets(decodeUtf8(o.value));
    else if (o.number === OptionNumber.URI_PORT) port = decodeUint(o.value);
    else if (o.number === OptionNumber.URI_PATH) path.push(decodeUtf8(o.value));
    else if (o.number === OptionNumber.URI_QUERY) query.push(decodeUtf8(o.value));
  }
  return formatCoapUri({ scheme: target.scheme, host, ...(port !== undefined ? { port } : {}), path, query });
}

/** For coap+ws / coaps+ws: the ws:// or wss:// URL to open (RFC 8323 §8.3/§8.4). */
export function webSocketUrl(uri: string | CoapUri): string {
  const u = typeof uri === 'string' ? parseCoapUri(uri) : uri;
  if (u.scheme !== 'coap+ws' && u.scheme !== 'coaps+ws') throw new CodecError(`not a WebSocket scheme: ${u.scheme}`);
  const ws = u.scheme === 'coap+ws' ? 'ws' : 'wss';
  const h = u.host.includes(':') ? `[${u.host}]` : u.host;
  return `${ws}://${h}${u.port === DEFAULT_PORTS[u.scheme] ? '' : `:${u.port}`}${WEBSOCKET_PATH}`;
}
