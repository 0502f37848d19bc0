import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';
import { COAP_WS_PATH, COAP_WS_PROTOCOL, WsPeerTable } from './ws-peers';

export interface BrowserWsTransportOptions {
  /** Base URL of the server, e.g. `ws://localhost:8080` or `wss://lwm2m.example`; the path defaults to /.well-known/coap. */
  readonly url: string;
  /** Override the WebSocket constructor (tests, or runtimes with their own). */
  readonly WebSocket?: typeof WebSocket;
}

/**
 * CoAP over WebSockets in a browser tab: a client transport with one connection, to the server
 * named by `url`. `resolvePeer` returns that server as a Peer; `send` to it connects on demand.
 */
export function createBrowserWsTransport(options: BrowserWsTransportOptions): Transport {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const url = new URL(options.url);
  if (url.pathname === '/' || url.pathname === '') url.pathname = COAP_WS_PATH;
  const secure = url.protocol === 'wss:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const server = makePeer(host, port);
  const peers = new WsPeerTable();
  let receive: (frame: Uint8Array, peer: Peer) => void = () => {};
  let connecting: Promise<WebSocket> | undefined;
  let closed = false;

  const connect = (): Promise<WebSocket> => {
    connecting ??= new Promise<WebSocket>((resolve, reject) => {
      const socket = new Socket(url.toString(), COAP_WS_PROTOCOL);
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        peers.add(server, socket);
        resolve(socket);
      };
      socket.onerror = () => reject(new Error(`cannot connect to ${url.toString()}`));
      socket.onmessage = (event: MessageEvent) => {
        if (event.data instanceof ArrayBuffer) receive(new Uint8Array(event.data), server);
      };
      socket.onclose = (event: { code: number; reason: string }) => {
        peers.closed(server, socket, new Error(`WebSocket closed (${event.code}) ${event.reason}`));
        connecting = undefined;
      };
    }).catch((err) => {
      connecting = undefined;
      throw err;
    });
    return connecting;
  };

  return {
    reliable: true,
    framing: 'websocket',
    scheme: secure ? 'coaps+ws' : 'coap+ws',
    async send(peer, frame) {
      if (closed) throw new Error('transport is closed');
      if (peer.key !== server.key) throw new Error(`this browser transport only talks to ${url.toString()}`);
      const socket = (peers.get(server.key) as WebSocket | undefined) ?? (await connect());
      socket.send(frame);
    },
    onReceive(handler) {
      receive = handler;
    },
    onPeerClosed(handler) {
      peers.onClosed(handler);
    },
    async resolvePeer() {
      return server;
    },
    localAddress() {
      return undefined;
    },
    async close() {
      closed = true;
      peers.closeAll();
    },
  };
}
