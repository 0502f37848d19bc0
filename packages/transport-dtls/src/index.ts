import { bindSocket, DtlsTransport } from './transport/dtls-transport';
import type { DtlsClientOptions, DtlsServerOptions } from './transport/options';

/** Binds a UDP socket and accepts DTLS handshakes (PSK, raw public key and/or X.509, as configured). */
export async function createDtlsServer(options: DtlsServerOptions): Promise<DtlsTransport> {
  const socket = await bindSocket(options);
  try {
    return new DtlsTransport(socket, options, 'server');
  } catch (e) {
    socket.close();
    throw e;
  }
}

/** Binds a UDP socket; `send()` to a new peer runs a handshake first (resuming a cached session when it can). */
export async function createDtlsClient(options: DtlsClientOptions): Promise<DtlsTransport> {
  const socket = await bindSocket(options);
  try {
    return new DtlsTransport(socket, options, 'client');
  } catch (e) {
    socket.close();
    throw e;
  }
}

export { AlertDescription } from './constants';
export type { CipherSuiteName } from './crypto/cipher-suites';
export { CIPHER_SUITES } from './crypto/cipher-suites';
export { HandshakeFailure } from './handshake/handshake-failure';
export { DtlsAlertError } from './transport/dtls-errors';
export type { DtlsStats, PeerAddressChangedHandler } from './transport/dtls-transport';
export { DtlsTransport } from './transport/dtls-transport';
export type { DtlsClientOptions, DtlsCommonOptions, DtlsLimits, DtlsServerOptions } from './transport/options';
