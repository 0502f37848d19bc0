/**
 * The secured listeners: CoAP over DTLS (LwM2M server and bootstrap server) and CoAP over TLS.
 * PSK keys and trusted raw public keys come from a security store (so credentials added through
 * the API work at once); the server's own certificate, key, raw public key and trust anchors
 * come from the app's options (files given on the command line).
 */
import { createDtlsServer, type DtlsServerOptions, type DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import type { IndexedSecurityStore } from './security-index';

/** The server's own credentials for certificate / raw-public-key handshakes (PEM text). */
export interface ServerCredentials {
  /** X.509 chain, leaf first (PEM). Needs `privateKey`. */
  readonly certificate?: string;
  /** EC P-256 private key for `certificate` (PEM). */
  readonly privateKey?: string;
  /** EC P-256 private key used for raw-public-key handshakes (default: `privateKey`). */
  readonly rpkPrivateKey?: string;
  /** Trust anchors for client certificates (PEM, one or more certificates). */
  readonly trustedCertificates?: string;
}

export async function startDtlsListener(
  host: string,
  port: number,
  security: IndexedSecurityStore,
  credentials: ServerCredentials,
): Promise<DtlsTransport> {
  const rpkKey = credentials.rpkPrivateKey ?? credentials.privateKey;
  const options: DtlsServerOptions = {
    host,
    port,
    // Asked of the store itself (async), so a shared store edited by another instance is seen too.
    psk: async (identity) => security.pskKey(identity) ?? (await security.getByPskIdentity(identity))?.psk?.key,
    ...(credentials.certificate && credentials.privateKey
      ? { certificate: credentials.certificate, privateKey: credentials.privateKey }
      : {}),
    ...(rpkKey
      ? { rpk: { privateKey: rpkKey, trusted: (spki: Uint8Array) => security.trustsRawPublicKey(spki) } }
      : {}),
    ...(credentials.trustedCertificates ? { trustedCertificates: [credentials.trustedCertificates] } : {}),
    // Certificate / RPK handshakes must authenticate the client: the registration check reads its identity.
    ...(rpkKey ? { clientAuth: 'require' as const } : {}),
  };
  return createDtlsServer(options);
}

export async function startTlsListener(
  host: string,
  port: number,
  security: IndexedSecurityStore,
  credentials: ServerCredentials,
) {
  const { certificate, privateKey, trustedCertificates } = credentials;
  return createTcpTransport({
    host,
    port,
    tls: {
      ...(certificate && privateKey ? { cert: certificate, key: privateKey } : {}),
      ...(trustedCertificates ? { ca: trustedCertificates, requestCert: true } : {}),
      pskKey: (identity) => security.pskKey(identity),
    },
  });
}
