import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { PeerIdentity } from '@lwm2m-ts/coap';

/**
 * The authenticated identity of a TLS peer: the PSK identity if PSK was used, else the subject of
 * a verified client/server certificate. Unverified certificates give no identity.
 */
export function tlsPeerIdentity(socket: TLSSocket, pskIdentity: string | undefined): PeerIdentity | undefined {
  if (pskIdentity !== undefined) return { kind: 'psk', identity: pskIdentity };
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate(false);
  if (!cert?.raw) return undefined;
  // The same distinguished-name text the DTLS transport reports (node's "C=..\nCN=.." form), so
  // a server's subject matching works the same on every secured transport.
  const subject = new X509Certificate(cert.raw).subject;
  return { kind: 'x509', subject, certificate: new Uint8Array(cert.raw) };
}
