/** A Resource Directory and CoAP nodes on one MemoryNetwork (drive time with vitest fake timers). */
import { Endpoint, type Peer, type PeerIdentity } from '@lwm2m-ts/coap';
import { MemoryNetwork, type MemoryTransport, seededRandom } from '@lwm2m-ts/coap/testing';
import { CoapCode, type CoapMessage, createMessage, decodeUdp, encodeUdp } from '@lwm2m-ts/codec';
import { type RdCoapOptions, serveResourceDirectory } from '../src/coap-interface';
import { ResourceDirectory, type ResourceDirectoryOptions } from '../src/resource-directory';

export interface Node {
  readonly transport: MemoryTransport;
  readonly endpoint: Endpoint;
  /** The RD as this node addresses it. */
  readonly rdPeer: Peer;
}

export function createRdNetwork(options: { rd?: ResourceDirectoryOptions; coap?: RdCoapOptions } = {}) {
  const network = new MemoryNetwork();
  const rdTransport = network.transport('rd', { port: 5683 });
  const rdEndpoint = new Endpoint({ transport: rdTransport, random: seededRandom(7) });
  let n = 4520;
  const rd = new ResourceDirectory({ idGenerator: () => String(++n), ...options.rd });
  const coap = serveResourceDirectory(rd, rdEndpoint, { notifyDelayMs: 0, ...options.coap });
  let seed = 100;
  const node = (name: string, opts: { port?: number; identity?: PeerIdentity } = {}): Node => {
    const transport = network.transport(name, opts);
    const endpoint = new Endpoint({ transport, random: seededRandom(seed++) });
    return { transport, endpoint, rdPeer: transport.peerOf(rdTransport) };
  };
  /** A bare transport exchanging raw frames with the RD. */
  const raw = (name: string) => {
    const transport = network.transport(name);
    const received: { msg: CoapMessage; bytes: Uint8Array }[] = [];
    transport.onReceive((bytes) => received.push({ msg: decodeUdp(bytes), bytes }));
    const rdPeer = transport.peerOf(rdTransport);
    return {
      transport,
      received,
      send: (msg: Partial<CoapMessage> & { code: number }) => transport.send(rdPeer, encodeUdp(createMessage(msg))),
    };
  };
  const close = async () => {
    coap.detach();
    rd.close();
    await rdEndpoint.close();
  };
  return { network, rd, rdEndpoint, rdTransport, coap, node, raw, close };
}

export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
export { CoapCode };
