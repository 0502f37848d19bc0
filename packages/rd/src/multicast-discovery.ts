/**
 * RFC 9176 §4 discovery by multicast: one NON GET /.well-known/core?rt=core.rd* to the group
 * ("all CoRE Resource Directories": 224.0.1.187, ff0x::fe), and every RD that answers from its
 * unicast address within the window. An Endpoint matches responses by peer, so this speaks to
 * the transport directly; give it a transport of its own (it takes over the receive handler).
 */
import { type Clock, type Peer, systemClock, type Transport } from '@lwm2m-ts/coap';
import {
  CoapCode,
  CodecError,
  createMessage,
  createOption,
  decodeUdp,
  encodeUdp,
  getLinkValues,
  type Link,
  MessageType,
  OptionNumber,
  parseLinkFormat,
} from '@lwm2m-ts/codec';
import type { RdInterfaces } from './rd-client';

export const RD_MULTICAST_IPV4 = '224.0.1.187';
export const RD_MULTICAST_IPV6_LINK_LOCAL = 'ff02::fe';

export interface DiscoveredRd {
  /** The RD's unicast address (where its answer came from): send registrations here. */
  readonly peer: Peer;
  readonly interfaces: RdInterfaces;
  readonly links: readonly Link[];
}

export interface MulticastDiscoveryOptions {
  readonly transport: Transport;
  /** The group as a peer, e.g. makePeer('224.0.1.187', 5683). */
  readonly group: Peer;
  /** How long to collect answers (ms); default 2000 (RFC 7252 Leisure is 5 s at most). */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /** Default: 4 bytes from crypto.getRandomValues. */
  readonly token?: Uint8Array;
  readonly messageId?: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function interfacesOf(links: readonly Link[]): RdInterfaces | undefined {
  const find = (rt: string) => links.find((l) => getLinkValues(l, 'rt').includes(rt))?.href;
  const registration = find('core.rd');
  if (registration === undefined) return undefined;
  return { registration, lookupEp: find('core.rd-lookup-ep'), lookupRes: find('core.rd-lookup-res') };
}

export async function discoverResourceDirectories(options: MulticastDiscoveryOptions): Promise<DiscoveredRd[]> {
  const clock = options.clock ?? systemClock;
  const token =
    options.token ??
    (() => {
      const t = new Uint8Array(4);
      globalThis.crypto.getRandomValues(t);
      return t;
    })();
  const messageId = options.messageId ?? (token[0]! << 8) | token[1]!;
  const found = new Map<string, DiscoveredRd>();
  options.transport.onReceive((frame, peer) => {
    let m: ReturnType<typeof decodeUdp>;
    try {
      m = decodeUdp(frame);
    } catch (e) {
      if (CodecError.isInstance(e)) return;
      throw e;
    }
    if (!sameBytes(m.token, token)) return;
    // A separate CON response is acknowledged, whatever it says.
    if (m.type === MessageType.CON)
      void options.transport
        .send(peer, encodeUdp(createMessage({ type: MessageType.ACK, code: CoapCode.EMPTY, messageId: m.messageId })))
        .catch(() => {});
    if (m.code !== CoapCode.CONTENT || found.has(peer.key)) return;
    try {
      const links = parseLinkFormat(m.payload);
      const interfaces = interfacesOf(links);
      if (interfaces) found.set(peer.key, { peer, interfaces, links });
    } catch (e) {
      if (!CodecError.isInstance(e)) throw e;
    }
  });
  const request = createMessage({
    type: MessageType.NON,
    code: CoapCode.GET,
    messageId,
    token,
    options: [
      createOption(OptionNumber.URI_PATH, '.well-known'),
      createOption(OptionNumber.URI_PATH, 'core'),
      createOption(OptionNumber.URI_QUERY, 'rt=core.rd*'),
    ],
  });
  await options.transport.send(options.group, encodeUdp(request));
  await new Promise<void>((resolve) => clock.setTimeout(resolve, options.timeoutMs ?? 2000));
  return [...found.values()];
}
