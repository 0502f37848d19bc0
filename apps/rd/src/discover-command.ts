/** `lwm2m-rd discover`: finds RDs by multicast (RFC 9176 §4) and prints where they are. */
import { makePeer } from '@lwm2m-ts/coap';
import { discoverResourceDirectories, RD_MULTICAST_IPV4 } from '@lwm2m-ts/rd';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';

export interface DiscoverOptions {
  readonly group: string;
  readonly port: number;
  readonly timeoutMs: number;
}

/** Returns one line per RD that answered: "coap://addr:port registration=/rd lookup-ep=... lookup-res=...". */
export async function discoverCommand(o: DiscoverOptions): Promise<string[]> {
  const v6 = o.group.includes(':');
  const transport = await createUdpTransport({ host: v6 ? '::' : '0.0.0.0', port: 0 });
  try {
    const found = await discoverResourceDirectories({
      transport,
      group: makePeer(o.group, o.port),
      timeoutMs: o.timeoutMs,
    });
    return found.map(({ peer, interfaces: i }) => {
      const host = peer.address.startsWith('::ffff:') ? peer.address.slice(7) : peer.address;
      const h = host.includes(':') ? `[${host}]` : host;
      return `coap://${h}:${peer.port} registration=${i.registration} lookup-ep=${i.lookupEp ?? '-'} lookup-res=${i.lookupRes ?? '-'}`;
    });
  } finally {
    await transport.close();
  }
}

export const DEFAULT_DISCOVERY_GROUP = RD_MULTICAST_IPV4;
