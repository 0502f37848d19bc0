/**
 * `-v`: one line per CoAP message sent or received, by wrapping the transport, so every message
 * the engine exchanges (retransmissions, ACKs, blocks, RSTs) shows up, not just requests.
 */

import type { Peer, Transport } from '@lwm2m-ts/coap';
import {
  type CoapMessage,
  decodeBlock,
  decodeReliable,
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

const SIGNALS = new Map<number, string>([
  [0xe1, 'CSM'],
  [0xe2, 'Ping'],
  [0xe3, 'Pong'],
  [0xe4, 'Release'],
  [0xe5, 'Abort'],
]);

/** RFC 8323 §5.3-5.6 signal options (their numbers are per signal code). */
function signalOptionText(code: number, number: number, value: Uint8Array): string {
  if (code === 0xe1 && number === 2) return `Max-Message-Size:${decodeUint(value)}`;
  if (code === 0xe1 && number === 4) return 'Block-Wise-Transfer';
  if ((code === 0xe2 || code === 0xe3) && number === 2) return 'Custody';
  if (code === 0xe4 && number === 2) return `Alternative-Address:${decodeUtf8(value)}`;
  if (code === 0xe4 && number === 4) return `Hold-Off:${decodeUint(value)}`;
  if (code === 0xe5 && number === 2) return `Bad-CSM-Option:${decodeUint(value)}`;
  return `Option${number}:0x${hex(value)}`;
}

/**
 * `CON GET mid=4660 tok=0a0b [Uri-Path:time, Observe:0] 12 B`; on reliable transports (TCP, TLS,
 * WebSockets: no type, no message id) `GET tok=0a0b [...]`, and signals by name (`7.01 CSM`).
 */
export function describeMessage(m: CoapMessage, reliable = false): string {
  const signal = SIGNALS.get(m.code);
  const code =
    m.code >> 5 === 0
      ? (METHODS[m.code] ?? formatCode(m.code))
      : signal
        ? `${formatCode(m.code)} ${signal}`
        : formatCode(m.code);
  const opts = m.options.map((o) =>
    signal ? signalOptionText(m.code, o.number, o.value) : optionText(o.number, o.value),
  );
  const parts = reliable ? [code] : [TYPES[m.type] ?? `type${m.type}`, code, `mid=${m.messageId}`];
  if (m.token.length > 0) parts.push(`tok=${hex(m.token)}`);
  if (opts.length > 0) parts.push(`[${opts.join(', ')}]`);
  if (m.payload.length > 0) parts.push(`${m.payload.length} B`);
  return parts.join(' ');
}

const where = (p: Peer) => (p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`);

function describeFrame(frame: Uint8Array, framing: Transport['framing']): string {
  try {
    if (framing === 'datagram') return describeMessage(decodeUdp(frame));
    return describeMessage(decodeReliable(frame, framing === 'websocket' ? 'ws' : 'tcp'), true);
  } catch (err) {
    return `(undecodable ${frame.length} B: ${(err as Error).message})`;
  }
}

/** A transport that writes `-> peer message` / `<- peer message` lines (any framing) and forwards everything. */
export function traceTransport(inner: Transport, log: (line: string) => void): Transport {
  const traced: Transport = {
    reliable: inner.reliable,
    framing: inner.framing,
    scheme: inner.scheme,
    send(peer, frame) {
      log(`-> ${where(peer)} ${describeFrame(frame, inner.framing)}`);
      return inner.send(peer, frame);
    },
    onReceive(handler) {
      inner.onReceive((frame, peer) => {
        log(`<- ${where(peer)} ${describeFrame(frame, inner.framing)}`);
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
