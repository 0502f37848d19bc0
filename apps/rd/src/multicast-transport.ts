/**
 * Receives CoAP requests sent to the "all CoRE Resource Directories" groups (RFC 9176 §4:
 * 224.0.1.187, ff0x::fe) and answers from the RD's unicast socket, as RFC 7252 §8.1 expects.
 * Error answers and empty discovery results are not sent to a group request (RFC 7252 §8.2,
 * RFC 6690 §4.1).
 */
import { createSocket, type Socket } from 'node:dgram';
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';
import { decodeUdp } from '@lwm2m-ts/codec';

export const RD_MULTICAST_IPV4 = '224.0.1.187';
/** Link-local scope by default; ff05::fe (site) and others work the same way. */
export const RD_MULTICAST_IPV6 = 'ff02::fe';

export interface MulticastListenerOptions {
  readonly group: string;
  readonly port: number;
  /** Local interface address to join on (IPv4 address, or IPv6 scope like "::%lo"); default: the system's choice. */
  readonly interfaceAddress?: string;
  /** Answers go out through this (unicast) transport. */
  readonly replyVia: Transport;
}

export async function createMulticastListener(options: MulticastListenerOptions): Promise<Transport> {
  const v6 = options.group.includes(':');
  const socket: Socket = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: true });
  let handler: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Binding to the group address keeps unicast traffic out; an IPv6 group needs the scope too.
    const scope =
      v6 && options.interfaceAddress?.includes('%')
        ? options.interfaceAddress.slice(options.interfaceAddress.indexOf('%'))
        : '';
    socket.bind({ port: options.port, address: `${options.group}${scope}` }, () => {
      socket.removeListener('error', reject);
      try {
        socket.addMembership(options.group, options.interfaceAddress);
        resolve();
      } catch (e) {
        socket.close();
        reject(new Error(`cannot join multicast group ${options.group}: ${(e as Error).message}`, { cause: e }));
      }
    });
  });
  socket.on('message', (msg, rinfo) => handler?.(new Uint8Array(msg), makePeer(rinfo.address, rinfo.port)));
  socket.on('error', () => {});
  let closed = false;
  return {
    reliable: false,
    framing: 'datagram',
    scheme: 'coap',
    async send(peer, frame) {
      try {
        const m = decodeUdp(frame);
        const cls = m.code >> 5;
        if (cls === 4 || cls === 5) return;
        if (cls === 2 && m.payload.length === 0 && m.code === 0x45) return;
      } catch {
        return;
      }
      await options.replyVia.send(peer, frame);
    },
    onReceive(h) {
      handler = h;
    },
    localAddress: () => ({ address: options.group, port: options.port }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
