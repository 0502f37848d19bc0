import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';
import { ipVersion, isValidPort, socketTypeForHost, stripBrackets, toMappedIpv6, type UdpSocketType } from './address';
import { literalFirstLookup } from './literal-lookup';
import { describeBindError, systemErrorCode, UdpTransportError } from './udp-transport-error';

/** Largest UDP payload over IPv4 (65535 - 8 UDP header - 20 IP header). */
export const MAX_UDP_PAYLOAD = 65_507;
/** Default SO_RCVBUF: bursts of hundreds of in-flight requests overflow Linux's ~208 KiB default. */
export const DEFAULT_RECEIVE_BUFFER_SIZE = 4 * 1024 * 1024;
export const DEFAULT_SEND_BUFFER_SIZE = 1024 * 1024;

export interface UdpTransportOptions {
  /** Address to bind: an IP literal (brackets allowed) or a host name. Default `0.0.0.0` (udp4) or `::` (udp6). */
  readonly host?: string;
  /** Port to bind; 0 (the default) picks a free one, see `localAddress()`. */
  readonly port?: number;
  /** Socket family; when omitted it follows `host` (an IPv6 literal means udp6). */
  readonly type?: UdpSocketType;
  /** SO_RCVBUF in bytes (Linux caps it at net.core.rmem_max). Default 4 MiB. */
  readonly receiveBufferSize?: number;
  /** SO_SNDBUF in bytes. Default 1 MiB. */
  readonly sendBufferSize?: number;
  /** udp6 only: refuse IPv4 peers instead of reaching them as IPv4-mapped addresses. Default false. */
  readonly ipv6Only?: boolean;
  /** Host name resolution, injectable for tests. Default: the system resolver (`dns.lookup`). */
  readonly lookup?: (host: string, family: 4 | 6 | 0) => Promise<{ address: string; family: number }[]>;
}

export interface UdpTransport extends Transport {
  readonly reliable: false;
  readonly framing: 'datagram';
  readonly scheme: 'coap';
  readonly type: UdpSocketType;
  resolvePeer(host: string, port: number): Promise<Peer>;
  /** SO_RCVBUF the kernel actually granted (Linux reports twice the requested value). */
  receiveBufferSize(): number;
  /** Socket errors after bind (they concern one datagram; the socket stays usable). */
  onError(handler: (error: UdpTransportError) => void): void;
}

const defaultLookup = async (host: string, family: 4 | 6 | 0) => dnsLookup(host, { all: true, family, verbatim: true });

/** Binds a UDP socket and returns it as a CoAP `Transport`. Rejects with `UdpTransportError` when binding fails. */
export async function createUdpTransport(options: UdpTransportOptions = {}): Promise<UdpTransport> {
  const lookup = options.lookup ?? defaultLookup;
  const port = options.port ?? 0;
  if (!isValidPort(port)) throw new UdpTransportError(`invalid UDP port ${String(port)} (expected 0..65535)`);
  let type = options.type ?? socketTypeForHost(options.host);
  let bindAddress = options.host === undefined ? undefined : stripBrackets(options.host);
  if (bindAddress !== undefined && ipVersion(bindAddress) === 0) {
    const family = options.type === 'udp6' ? 6 : options.type === 'udp4' ? 4 : 0;
    const found = await resolveName(lookup, bindAddress, family);
    bindAddress = found.address;
    if (options.type === undefined) type = found.family === 6 ? 'udp6' : 'udp4';
  }
  if (bindAddress !== undefined && ipVersion(bindAddress) === 6 && type === 'udp4') {
    throw new UdpTransportError(`cannot bind IPv6 address ${bindAddress} on a udp4 socket; use type 'udp6'`);
  }
  const address = bindAddress ?? (type === 'udp6' ? '::' : '0.0.0.0');
  const socket = createSocket({
    type,
    ipv6Only: type === 'udp6' && options.ipv6Only === true,
    recvBufferSize: options.receiveBufferSize ?? DEFAULT_RECEIVE_BUFFER_SIZE,
    sendBufferSize: options.sendBufferSize ?? DEFAULT_SEND_BUFFER_SIZE,
    lookup: literalFirstLookup,
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      socket.removeListener('listening', onListening);
      socket.close();
      reject(new UdpTransportError(describeBindError(err, address, port), { code: systemErrorCode(err), cause: err }));
    };
    const onListening = () => {
      socket.removeListener('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ address, port, exclusive: true });
  });
  return new DgramTransport(socket, type, options.ipv6Only === true, lookup);
}

async function resolveName(
  lookup: NonNullable<UdpTransportOptions['lookup']>,
  host: string,
  family: 4 | 6 | 0,
): Promise<{ address: string; family: number }> {
  let found: { address: string; family: number }[];
  try {
    found = await lookup(host, family);
  } catch (err) {
    throw new UdpTransportError(`cannot resolve host "${host}": ${(err as Error).message}`, {
      code: systemErrorCode(err),
      cause: err,
    });
  }
  const first = found[0];
  if (!first) throw new UdpTransportError(`cannot resolve host "${host}": no ${family ? `IPv${family} ` : ''}address`);
  return first;
}

class DgramTransport implements UdpTransport {
  readonly reliable = false as const;
  readonly framing = 'datagram' as const;
  readonly scheme = 'coap' as const;
  private receiveHandler: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  private readonly errorHandlers: ((error: UdpTransportError) => void)[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly peers = new PeerCache();

  constructor(
    private readonly socket: Socket,
    readonly type: UdpSocketType,
    private readonly ipv6Only: boolean,
    private readonly lookup: NonNullable<UdpTransportOptions['lookup']>,
  ) {
    socket.on('message', (msg, rinfo) => {
      const handler = this.receiveHandler;
      if (handler === undefined) return;
      // A plain Uint8Array view of the datagram (no copy): the decoder slices token, options and
      // payload out of it, and a Buffer's subarray() builds a FastBuffer in JavaScript each time
      // where a Uint8Array's is one native call.
      handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), this.peers.get(rinfo.address, rinfo.port));
    });
    socket.on('error', (err) => {
      const error = new UdpTransportError(`UDP socket error: ${err.message}`, {
        code: systemErrorCode(err),
        cause: err,
      });
      for (const handler of this.errorHandlers) handler(error);
    });
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.receiveHandler = handler;
  }

  onError(handler: (error: UdpTransportError) => void): void {
    this.errorHandlers.push(handler);
  }

  send(peer: Peer, frame: Uint8Array): Promise<void> {
    if (this.closed)
      return Promise.reject(new UdpTransportError('UDP transport is closed', { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }));
    if (frame.byteLength > MAX_UDP_PAYLOAD) {
      return Promise.reject(
        new UdpTransportError(
          `frame of ${frame.byteLength} bytes exceeds the UDP maximum of ${MAX_UDP_PAYLOAD}; use block-wise transfer`,
          {
            code: 'EMSGSIZE',
          },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      try {
        this.socket.send(frame, peer.port, peer.address, (err) => {
          if (err) {
            reject(
              new UdpTransportError(`cannot send to ${formatHostPort(peer.address, peer.port)}: ${err.message}`, {
                code: systemErrorCode(err),
                cause: err,
              }),
            );
          } else resolve();
        });
      } catch (err) {
        reject(
          new UdpTransportError(
            `cannot send to ${formatHostPort(peer.address, peer.port)}: ${(err as Error).message}`,
            {
              code: systemErrorCode(err),
              cause: err,
            },
          ),
        );
      }
    });
  }

  async resolvePeer(host: string, port: number): Promise<Peer> {
    if (!isValidPort(port) || port === 0)
      throw new UdpTransportError(`invalid UDP port ${String(port)} (expected 1..65535)`);
    const bare = stripBrackets(host);
    let address = bare;
    let version = ipVersion(bare);
    if (version === 0) {
      const found = await resolveName(this.lookup, bare, this.type === 'udp4' ? 4 : this.ipv6Only ? 6 : 0);
      address = found.address;
      version = found.family === 6 ? 6 : 4;
    }
    if (version === 6 && this.type === 'udp4') {
      throw new UdpTransportError(
        `cannot reach IPv6 address ${address} from a udp4 transport; create it with type 'udp6' or host '::'`,
      );
    }
    if (version === 4 && this.type === 'udp6') {
      if (this.ipv6Only)
        throw new UdpTransportError(`cannot reach IPv4 address ${address} from an IPv6-only transport`);
      address = toMappedIpv6(address);
    }
    return makePeer(address, port);
  }

  localAddress(): { address: string; port: number } | undefined {
    if (this.closed) return undefined;
    try {
      const { address, port } = this.socket.address();
      return { address, port };
    } catch {
      return undefined;
    }
  }

  receiveBufferSize(): number {
    return this.socket.getRecvBufferSize();
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.receiveHandler = undefined;
    this.closing = new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return this.closing;
  }
}

function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Reuses the Peer value of a recent sender instead of building one (and its key string) per
 * datagram: under load most datagrams come from a few thousand peers. Bounded; a full cache
 * starts over, which costs one allocation per peer and never returns a wrong Peer.
 */
export class PeerCache {
  private readonly byPort = new Map<number, Map<string, Peer>>();
  private size = 0;

  constructor(private readonly capacity = 8192) {}

  get(address: string, port: number): Peer {
    let byAddress = this.byPort.get(port);
    const hit = byAddress?.get(address);
    if (hit) return hit;
    if (this.size >= this.capacity) {
      this.byPort.clear();
      this.size = 0;
      byAddress = undefined;
    }
    if (!byAddress) {
      byAddress = new Map();
      this.byPort.set(port, byAddress);
    }
    const peer = makePeer(address, port);
    byAddress.set(address, peer);
    this.size += 1;
    return peer;
  }
}
