/**
 * `-v`: one line per CoAP message sent or received, by wrapping the transport, so every message
 * the engine exchanges (retransmissions, ACKs, blocks, RSTs) shows up, not just requests.
 */

import type { Peer, Transport } from '@lwm2m-ts/coap';
import {
  type CoapMessage,
  decodeBlock,
  decodeUdp,
  decodeUint,
  decodeUtf8,
  formatCode,
  OptionNumber,
} from '@lwm2m-ts/codec';

const TYPES = ['CON', 'NON', 'ACK', 'RST'] as const;
const METHODS = ['EMPTY', 'GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'iPATCH'];
const OPTION_NAMES = new Map<number, string>(
  Object.entries(OptionNumber).map(([name, n]) => [
    n,
    name
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('-'),
  ]),
);
const STRING_OPTIONS = new Set<number>([
  OptionNumber.URI_HOST,
  OptionNumber.LOCATION_PATH,
  OptionNumber.URI_PATH,
  OptionNumber.URI_QUERY,
  OptionNumber.LOCATION_QUERY,
  OptionNumber.PROXY_URI,
  OptionNumber.PROXY_SCHEME,
]);
const UINT_OPTIONS = new Set<number>([
  OptionNumber.OBSERVE,
  OptionNumber.URI_PORT,
  OptionNumber.CONTENT_FORMAT,
  OptionNumber.MAX_AGE,
  OptionNumber.ACCEPT,
  OptionNumber.SIZE1,
  OptionNumber.SIZE2,
  OptionNumber.HOP_LIMIT,
]);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function optionText(number: number, value: Uint8Array): string {
  const name = OPTION_NAMES.get(number) ?? `Option${number}`;
  if (STRING_OPTIONS.has(number)) return `${name}:${decodeUtf8(value)}`;
  if (UINT_OPTIONS.has(number)) return `${name}:${decodeUint(value)}`;
  if (number === OptionNumber.BLOCK1 || number === OptionNumber.BLOCK2) {
    const b = decodeBlock(value);
    return `${name}:${b.num}/${b.more ? 1 : 0}/${b.size}`;
  }
  return `${name}:0x${hex(value)}`;
}

/** `CON GET mid=4660 tok=0a0b [Uri-Path:time, Observe:0] 12 B` */
export function describeMessage(m: CoapMessage): string {
  const code = m.code >> 5 === 0 ? (METHODS[m.code] ?? formatCode(m.code)) : formatCode(m.code);
  const opts = m.options.map((o) => optionText(o.number, o.value));
  const parts = [TYPES[m.type] ?? `type${m.type}`, code, `mid=${m.messageId}`];
  if (m.token.length > 0) parts.push(`tok=${hex(m.token)}`);
  if (opts.length > 0) parts.push(`[${opts.join(', ')}]`);
  if (m.payload.length > 0) parts.push(`${m.payload.length} B`);
  return parts.join(' ');
}

const where = (p: Peer) => (p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`);

function describeFrame(frame: Uint8Array): string {
  try {
    return describeMessage(decodeUdp(frame));
  } catch (err) {
    return `(undecodable ${frame.length} B: ${(err as Error).message})`;
  }
}

/** A transport that writes `-> peer message` / `<- peer message` lines and forwards everything. */
export function traceTransport(inner: Transport, log: (line: string) => void): Transport {
  const traced: Transport = {
    reliable: inner.reliable,
    framing: inner.framing,
    scheme: inner.scheme,
    send(peer, frame) {
      log(`-> ${where(peer)} ${describeFrame(frame)}`);
      return inner.send(peer, frame);
    },
    onReceive(handler) {
      inner.onReceive((frame, peer) => {
        log(`<- ${where(peer)} ${describeFrame(frame)}`);
        handler(frame, peer);
      });
    },
    localAddress: () => inner.localAddress(),
    close: () => inner.close(),
  };
  if (inner.resolvePeer) traced.resolvePeer = inner.resolvePeer.bind(inner);
  if (inner.onPeerClosed) traced.onPeerClosed = inner.onPeerClosed.bind(inner);
  return traced;
}
