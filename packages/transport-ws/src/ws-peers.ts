import type { Peer } from '@lwm2m-ts/coap';

/** The minimal socket surface shared by `ws` on node and the browser's WebSocket. */
export interface FrameSocket {
  send(frame: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/**
 * Open WebSocket connections by peer key, plus the closed-peer listeners. One instance per
 * transport; shared by the node and browser entries so both report closes the same way.
 */
export class WsPeerTable {
  private readonly sockets = new Map<string, { socket: FrameSocket; peer: Peer }>();
  private readonly closedHandlers: ((peer: Peer, reason?: Error) => void)[] = [];

  get size(): number {
    return this.sockets.size;
  }

  get(key: string): FrameSocket | undefined {
    return this.sockets.get(key)?.socket;
  }

  add(peer: Peer, socket: FrameSocket): void {
    this.sockets.set(peer.key, { socket, peer });
  }

  /** Forgets a socket that closed and tells the listeners (only if it is still the current one). */
  closed(peer: Peer, socket: FrameSocket, reason?: Error): void {
    if (this.sockets.get(peer.key)?.socket !== socket) return;
    this.sockets.delete(peer.key);
    for (const handler of this.closedHandlers) handler(peer, reason);
  }

  onClosed(handler: (peer: Peer, reason?: Error) => void): void {
    this.closedHandlers.push(handler);
  }

  closeAll(): void {
    for (const { socket } of this.sockets.values()) socket.close(1001, 'transport closed');
    this.sockets.clear();
  }
}

export const COAP_WS_PATH = '/.well-known/coap';
export const COAP_WS_PROTOCOL = 'coap';

export const wsUrl = (secure: boolean, address: string, port: number, path: string): string =>
  `${secure ? 'wss' : 'ws'}://${address.includes(':') ? `[${address}]` : address}:${port}${path}`;
