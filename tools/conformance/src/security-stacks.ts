/**
 * The PSK-secured transports the LwM2M-level security checks run over: DTLS 1.2 and TLS 1.2
 * (CoAP over TCP). Both report the authenticated PSK identity on every Peer.
 */
import type { Transport } from '@lwm2m-ts/coap';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport, type TcpTransport } from '@lwm2m-ts/transport-tcp';
import type { PskCredential } from './credentials';

export interface PskStack {
  readonly name: string;
  readonly scheme: 'coaps' | 'coaps+tcp';
  server(lookup: (identity: string) => Uint8Array | undefined): Promise<Transport>;
  client(credential: PskCredential): Promise<Transport>;
  /** Authenticated sessions / connections the server transport holds now. */
  sessions(server: Transport): number;
}

export const PSK_STACKS: readonly PskStack[] = [
  {
    name: 'DTLS 1.2 PSK',
    scheme: 'coaps',
    server: (lookup) => createDtlsServer({ host: '127.0.0.1', port: 0, psk: lookup }),
    client: (credential) => createDtlsClient({ host: '127.0.0.1', psk: credential }),
    sessions: (server) => (server as DtlsTransport).stats().sessions,
  },
  {
    name: 'TLS 1.2 PSK',
    scheme: 'coaps+tcp',
    server: (lookup) => createTcpTransport({ host: '127.0.0.1', port: 0, tls: { pskKey: lookup } }),
    client: (credential) => createTcpTransport({ tls: { psk: credential } }),
    sessions: (server) => (server as TcpTransport).connectionCount,
  },
];
