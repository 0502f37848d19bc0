import { lookup } from 'node:dns/promises';
import { createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  createServer as createTlsServer,
  type TLSSocket,
  type TlsOptions,
  connect as tlsConnect,
} from 'node:tls';
import { makePeer, type Peer, type PeerIdentity, type Transport, type TransportScheme } from '@lwm2m-ts/coap';
import { stripBrackets } from '@lwm2m-ts/codec';
import { StreamConnection } from './stream-connection';
import { tlsPeerIdentity } from './tls-identity';

export interface TcpTlsOptions {
  /** PEM certificate chain and key presented by this side. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Trusted CAs for verifying the other side's certificate. */
  readonly ca?: string | Buffer | (string | Buffer)[];
  /** Server: ask clients for a certificate (their subject becomes the peer identity). */
  readonly requestCert?: boolean;
  /** Verify the other side's certificate against `ca` (default true when `ca` is given). */
  readonly rejectUnauthorized?: boolean;
  /** Client: PSK credentials (TLS 1.2 PSK suites). */
  readonly psk?: { readonly identity: string; readonly key: Uint8Array };
  /** Server: PSK lookup by identity; undefined refuses the handshake. */
  readonly pskKey?: (identity: string) => Uint8Array | undefined;
  readonly pskIdentityHint?: string;
  /** Client: SNI / hostname to verify (defaults to the peer address). */
  readonly servername?: string;
}

export interface TcpTransportOptions {
  /** Bind address for listening (default 127.0.0.1). */
  readonly host?: string;
  /** Listen on this port (0 = any). Omit for a client-only transport that only connects out. */
  readonly port?: number;
  /** TLS makes this `coaps+tcp`. */
  readonly tls?: TcpTlsOptions;
  /** Largest frame accepted from a peer (default 64 KiB + header). */
  readonly maxMessageSize?: number;
  /** Deadline for a started frame to complete (default 10 s). */
  readonly frameTimeoutMs?: number;
  /** Deadline for an outgoing connection (and TLS handshake) to be established (default 10 s). */
  readonly connectTimeoutMs?: number;
}

export interface TcpTransport extends Transport {
  /** Open connections (both accepted and initiated). */
  readonly connectionCount: number;
  resolvePeer(host: string, port: number): Promise<Peer>;
  /** Closes the connection to one peer (observations on it end through onPeerClosed). */
  disconnect(peer: Peer): void;
}

const PSK_CIPHERS = 'PSK-AES128-CCM8:PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA256';

/**
 * CoAP over TCP or TLS (RFC 8323). Accepts connections when given a port, and opens one to a peer
 * on the first `send` to it; frames from every connection reach the single `onReceive` handler.
 */
export async function createTcpTransport(options: TcpTransportOptions = {}): Promise<TcpTransport> {
  const tls = options.tls;
  const scheme: TransportScheme = tls ? 'coaps+tcp' : 'coap+tcp';
  const maxFrameSize = options.maxMessageSize ?? 65536 + 8;
  const frameTimeoutMs = options.frameTimeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const connections = new Map<string, StreamConnection>();
  const connecting = new Map<string, Promise<StreamConnection>>();
  const pskIdentities = new WeakMap<object, string>();
  let receive: (frame: Uint8Array, peer: Peer) => void = () => {};
  const closedHandlers: ((peer: Peer, reason?: Error) => void)[] = [];
  let server: Server | undefined;
  let isClosed = false;

  const adopt = (socket: Socket, peer: Peer): StreamConnection => {
    const connection = new StreamConnection(socket, peer, {
      maxFrameSize,
      frameTimeoutMs,
      onFrame: (frame, from) => receive(frame, from),
      onClose: (conn, reason) => {
        if (connections.get(conn.peer.key) === conn) connections.delete(conn.peer.key);
        for (const handler of closedHandlers) handler(conn.peer, reason);
      },
    });
    connections.set(peer.key, connection);
    return connection;
  };

  if (options.port !== undefined) {
    const host = stripBrackets(options.host ?? '127.0.0.1');
    const onSocket = (socket: Socket, identity?: PeerIdentity) => {
      if (isClosed || !socket.remoteAddress || socket.remotePort === undefined) {
        socket.destroy();
        return;
      }
      adopt(socket, makePeer(socket.remoteAddress, socket.remotePort, identity));
    };
    if (tls) {
      const serverOptions: TlsOptions = {
        ALPNProtocols: ['coap'],
        requestCert: tls.requestCert ?? false,
        rejectUnauthorized: tls.rejectUnauthorized ?? tls.requestCert ?? false,
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        ...(tls.ca ? { ca: tls.ca } : {}),
      };
      if (tls.pskKey) {
        const pskKey = tls.pskKey;
        Object.assign(serverOptions, {
          ciphers: tls.cert ? `${PSK_CIPHERS}:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256` : PSK_CIPHERS,
          maxVersion: 'TLSv1.2',
          ...(tls.pskIdentityHint ? { pskIdentityHint: tls.pskIdentityHint } : {}),
          pskCallback: (socket: TLSSocket, identity: string) => {
            const key = pskKey(identity);
            if (!key) return null;
            pskIdentities.set(socket, identity);
            return Buffer.from(key);
          },
        });
      }
      server = createTlsServer(serverOptions, (socket) =>
        onSocket(socket, tlsPeerIdentity(socket, pskIdentities.get(socket))),
      );
      // Failed handshakes never reach the app; close the raw socket quietly.
      server.on('tlsClientError', (_err, socket) => socket.destroy());
    } else {
      server = createServer((socket) => onSocket(socket));
    }
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port, host, () => {
        listening.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        `cannot listen on ${scheme}://${host.includes(':') ? `[${host}]` : host}:${options.port}: ${err.code ?? err.message}`,
        {
          cause: err,
        },
      );
    });
    listening.on('error', () => {});
  }

  const connectTo = (peer: Peer): Promise<StreamConnection> => {
    const existing = connecting.get(peer.key);
    if (existing) return existing;
    const attempt = new Promise<StreamConnection>((resolve, reject) => {
      let socket: Socket;
      let identity: PeerIdentity | undefined;
      const readyEvent = tls ? 'secureConnect' : 'connect';
      if (tls) {
        const tlsOptions: ConnectionOptions = {
          host: peer.address,
          port: peer.port,
          ALPNProtocols: ['coap'],
          rejectUnauthorized: tls.rejectUnauthorized ?? tls.ca !== undefined,
          ...(tls.ca ? { ca: tls.ca } : {}),
          ...(tls.cert ? { cert: tls.cert } : {}),
          ...(tls.key ? { key: tls.key } : {}),
          ...(tls.servername ? { servername: tls.servername } : isIP(peer.address) ? {} : { servername: peer.address }),
        };
        if (tls.psk) {
          const psk = tls.psk;
          Object.assign(tlsOptions, {
            ciphers: PSK_CIPHERS,
            maxVersion: 'TLSv1.2',
            checkServerIdentity: () => undefined,
            pskCallback: () => ({ identity: psk.identity, psk: Buffer.from(psk.key) }),
          });
          identity = { kind: 'psk', identity: psk.identity };
        }
        socket = tlsConnect(tlsOptions);
      } else {
        socket = createConnection({ host: peer.address, port: peer.port });
      }
      const timer = setTimeout(() => {
        socket.destroy(
          new Error(`connecting to ${scheme}://${peer.address}:${peer.port} timed out after ${connectTimeoutMs} ms`),
        );
      }, connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${scheme}://${peer.address}:${peer.port}: ${err.message}`, { cause: err }));
      });
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        if (tls && !identity) identity = tlsPeerIdentity(socket as TLSSocket, undefined);
        const connected = identity ? makePeer(peer.address, peer.port, identity) : peer;
        resolve(adopt(socket, { ...connected, key: peer.key }));
      });
    }).finally(() => connecting.delete(peer.key));
    connecting.set(peer.key, attempt);
    return attempt;
  };

  const transport: TcpTransport = {
    reliable: true,
    framing: 'stream',
    scheme,
    get connectionCount() {
      return connections.size;
    },
    async send(peer, frame) {
      if (isClosed) throw new Error('transport is closed');
      const connection = connections.get(peer.key) ?? (await connectTo(peer));
      await connection.send(frame);
    },
    onReceive(handler) {
      receive = handler;
    },
    onPeerClosed(handler) {
      closedHandlers.push(handler);
    },
    async resolvePeer(host, port) {
      const bare = stripBrackets(host);
      const address = isIP(bare) ? bare : (await lookup(bare)).address;
      return makePeer(address, port);
    },
    localAddress() {
      const address = server?.address();
      return address && typeof address === 'object' ? { address: address.address, port: address.port } : undefined;
    },
    disconnect(peer) {
      connections.get(peer.key)?.close();
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      for (const connection of connections.values()) connection.destroy();
      connections.clear();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
  return transport;
}
