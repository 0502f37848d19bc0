/**
 * The only seam that touches sockets. A transport moves whole CoAP frames (one UDP datagram,
 * one RFC 8323 length-prefixed frame, one WebSocket message) between this endpoint and peers.
 */

/** Security identity established by the transport (or by OSCORE). Authorization reads this, never the address. */
export type PeerIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  | { readonly kind: 'rpk'; readonly publicKey: Uint8Array }
  | { readonly kind: 'x509'; readonly subject: string; readonly certificate: Uint8Array }
  | { readonly kind: 'oscore'; readonly recipientId: Uint8Array; readonly idContext?: Uint8Array };

export interface Peer {
  /** IP literal (IPv4 or IPv6, without brackets) or, for in-memory transports, a node name. */
  readonly address: string;
  readonly port: number;
  readonly identity?: PeerIdentity;
  /** Stable key for maps: `${address}|${port}` unless the transport needs more (e.g. DTLS Connection ID). */
  readonly key: string;
}

/** How frames are delimited on this transport (picks the codec framing). */
export type Framing = 'datagram' | 'stream' | 'websocket';

export type TransportScheme = 'coap' | 'coaps' | 'coap+tcp' | 'coaps+tcp' | 'coap+ws' | 'coaps+ws';

export interface Transport {
  /** true for TCP/TLS/WS: no CON/ACK, no message ids, RFC 8323 signaling instead. */
  readonly reliable: boolean;
  readonly framing: Framing;
  readonly scheme: TransportScheme;
  /** Bytes of one complete frame to a peer. Rejects if the peer is unreachable (e.g. connection closed). */
  send(peer: Peer, frame: Uint8Array): Promise<void>;
  /** Registers the single inbound handler: one call per complete received frame. */
  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void;
  /** Reliable transports report when a connection to a peer ends (observations on it end too). */
  onPeerClosed?(handler: (peer: Peer, reason?: Error) => void): void;
  /** Resolves a host/port (as given in a URI) to the Peer this transport would send to. */
  resolvePeer?(host: string, port: number): Promise<Peer>;
  /** Address actually bound (port 0 resolved). */
  localAddress(): { address: string; port: number } | undefined;
  close(): Promise<void>;
}

export const peerKey = (address: string, port: number): string => `${address}|${port}`;

export function makePeer(address: string, port: number, identity?: PeerIdentity): Peer {
  return identity
    ? { address, port, identity, key: peerKey(address, port) }
    : { address, port, key: peerKey(address, port) };
}
