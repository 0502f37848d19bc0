import { lookup } from 'node:dns/promises';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { makePeer, type Peer, type PeerIdentity, type Transport } from '@lwm2m-ts/coap';
import { stripBrackets } from '@lwm2m-ts/codec';
import { WebSocket, WebSocketServer } from 'ws';
import { COAP_WS_PATH, COAP_WS_PROTOCOL, WsPeerTable, wsUrl } from './ws-peers';

export interface WsTransportOptions {
  /** Listen on a port of its own (0 = any) ... */
  readonly port?: number;
  readonly host?: string;
  /** ... or answer upgrades on an existing HTTP(S) server (e.g. the LwM2M server's API port). */
  readonly server?: HttpServer | HttpsServer;
  /** Upgrade path (default /.well-known/coap, RFC 8323 §4.1). */
  readonly path?: string;
  /** coaps+ws: connect out with wss (and say so in `scheme` when attached to an HTTPS server). */
  readonly secure?: boolean;
  /** Client: CA for wss. */
  readonly ca?: string | Buffer;
  /** Largest message accepted; a larger one closes the connection with 1009. Default 64 KiB. */
  readonly maxMessageSize?: number;
  /** Server: identity of an incoming connection from its upgrade request (e.g. a bearer token). */
  readonly identify?: (request: IncomingMessage) => PeerIdentity | undefined;
  readonly connectTimeoutMs?: number;
}

export interface WsTransport extends Transport {
  readonly connectionCount: number;
  resolvePeer(host: string, port: number): Promise<Peer>;
}

/**
 * CoAP over WebSockets (RFC 8323 §4) on node: one binary message per CoAP message, subprotocol
 * `coap`, path `/.well-known/coap`. Serves upgrades (own port or an existing HTTP server) and
 * connects out on the first `send` to a peer.
 */
export async function createWsTransport(options: WsTransportOptions = {}): Promise<WsTransport> {
  const path = options.path ?? COAP_WS_PATH;
  const secure = options.secure ?? false;
  const maxPayload = options.maxMessageSize ?? 65536;
  const peers = new WsPeerTable();
  const connecting = new Map<string, Promise<WebSocket>>();
  let receive: (frame: Uint8Array, peer: Peer) => void = () => {};
  let closed = false;

  const attach = (socket: WebSocket, peer: Peer) => {
    peers.add(peer, socket);
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        socket.close(1003, 'CoAP over WebSockets uses binary messages');
        return;
      }
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      receive(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), peer);
    });
    socket.on('close', (code, reason) =>
      peers.closed(
        peer,
        socket,
        code === 1000 ? undefined : new Error(`WebSocket closed (${code}) ${reason.toString()}`),
      ),
    );
    socket.on('error', () => {});
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    handleProtocols: (protocols) => (protocols.has(COAP_WS_PROTOCOL) ? COAP_WS_PROTOCOL : false),
  });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const address = request.socket.remoteAddress;
    const port = request.socket.remotePort;
    if (closed || !address || port === undefined || socket.protocol !== COAP_WS_PROTOCOL) {
      socket.close(1002, 'the coap subprotocol is required');
      return;
    }
    attach(socket, makePeer(address, port, options.identify?.(request)));
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return; // another upgrade handler on the same server may want it
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(COAP_WS_PROTOCOL)) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nCoAP over WebSockets requires the "coap" subprotocol\n',
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };

  let ownServer: HttpServer | undefined;
  const httpServer = options.server ?? (options.port !== undefined ? await listen(options) : undefined);
  if (httpServer) {
    if (!options.server) ownServer = httpServer as HttpServer;
    httpServer.on('upgrade', onUpgrade);
  }

  const connectTo = (peer: Peer): Promise<WebSocket> => {
    const pending = connecting.get(peer.key);
    if (pending) return pending;
    const url = wsUrl(secure, peer.address, peer.port, path);
    const attempt = new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, COAP_WS_PROTOCOL, {
        maxPayload,
        handshakeTimeout: options.connectTimeoutMs ?? 10_000,
        ...(options.ca ? { ca: options.ca } : {}),
      });
      socket.binaryType = 'nodebuffer';
      socket.once('open', () => {
        attach(socket, peer);
        resolve(socket);
      });
      socket.once('error', (err) => reject(new Error(`cannot connect to ${url}: ${err.message}`, { cause: err })));
    }).finally(() => connecting.delete(peer.key));
    connecting.set(peer.key, attempt);
    return attempt;
  };

  return {
    reliable: true,
    framing: 'websocket',
    scheme: secure ? 'coaps+ws' : 'coap+ws',
    get connectionCount() {
      return peers.size;
    },
    async send(peer, frame) {
      if (closed) throw new Error('transport is closed');
      const socket = (peers.get(peer.key) as WebSocket | undefined) ?? (await connectTo(peer));
      await new Promise<void>((resolve, reject) =>
        socket.send(frame, { binary: true }, (err) => (err ? reject(err) : resolve())),
      );
    },
    onReceive(handler) {
      receive = handler;
    },
    onPeerClosed(handler) {
      peers.onClosed(handler);
    },
    async resolvePeer(host, port) {
      const bare = stripBrackets(host);
      return makePeer(isIP(bare) ? bare : (await lookup(bare)).address, port);
    },
    localAddress() {
      const address = httpServer?.address();
      return address && typeof address === 'object' ? { address: address.address, port: address.port } : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      peers.closeAll();
      httpServer?.off('upgrade', onUpgrade);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownServer) {
        const s = ownServer;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}

async function listen(options: WsTransportOptions): Promise<HttpServer> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('CoAP over WebSockets: upgrade required\n');
  });
  const host = stripBrackets(options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot listen on coap+ws://${host}:${options.port}: ${err.code ?? err.message}`, { cause: err });
  });
  return server;
}
