import { CoapCode, type CoapMessage, createMessage, decodeUdp, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { Endpoint, type EndpointOptions } from '../src/endpoint';
import { MemoryNetwork, type MemoryNetworkOptions, type MemoryTransport, seededRandom } from '../src/testing/index';
import type { Framing, Peer } from '../src/transport';

export interface Pair {
  network: MemoryNetwork;
  server: Endpoint;
  client: Endpoint;
  serverTransport: MemoryTransport;
  clientTransport: MemoryTransport;
  /** The server as the client addresses it. */
  serverPeer: Peer;
}

export function createPair(
  opts: {
    kind?: Framing;
    network?: MemoryNetworkOptions;
    server?: Partial<EndpointOptions>;
    client?: Partial<EndpointOptions>;
  } = {},
): Pair {
  const network = new MemoryNetwork(opts.network);
  const serverTransport = network.transport('server', { kind: opts.kind ?? 'datagram', port: 5683 });
  const clientTransport = network.transport('client', { kind: opts.kind ?? 'datagram', port: 40001 });
  const server = new Endpoint({ transport: serverTransport, random: seededRandom(11), ...opts.server });
  const client = new Endpoint({ transport: clientTransport, random: seededRandom(22), ...opts.client });
  return {
    network,
    server,
    client,
    serverTransport,
    clientTransport,
    serverPeer: clientTransport.peerOf(serverTransport),
  };
}

/** A bare transport speaking raw frames, to check what the endpoint puts on the wire. */
export function rawNode(network: MemoryNetwork, name: string, kind: Framing = 'datagram') {
  const transport = network.transport(name, { kind });
  const received: { msg: CoapMessage; bytes: Uint8Array; from: Peer }[] = [];
  transport.onReceive((bytes, from) => received.push({ msg: decodeUdp(bytes), bytes, from }));
  return {
    transport,
    received,
    send: (to: Peer, msg: Partial<CoapMessage> & { code: number }) => transport.send(to, encodeUdp(createMessage(msg))),
  };
}

export const GET = CoapCode.GET;
export { MessageType };

/** Runs microtasks and due timers until nothing changes (bounded). */
export async function settle(vi: { advanceTimersByTimeAsync(ms: number): Promise<unknown> }, ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
