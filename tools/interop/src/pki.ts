/** Credentials for the secure interop tests, written to a temp folder (keys and certificates from @lwm2m-ts/test-pki). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEcKey, writeEcPrivateKey, writeSelfSignedCertificate } from '@lwm2m-ts/test-pki';

export { writeOscoreContexts } from '@lwm2m-ts/test-pki';

export interface InteropPki {
  readonly dir: string;
  /** Self-signed EC P-256 certificate for CN=localhost, SAN IP:127.0.0.1, DNS:localhost (also its own CA). */
  readonly cert: string;
  readonly key: string;
  /** EC P-256 keys in SEC1 PEM ("EC PRIVATE KEY"), the form libcoap's gnutls build reads with -M. */
  readonly serverRpk: string;
  readonly clientRpk: string;
}

export function writeInteropPki(): InteropPki {
  const dir = mkdtempSync(join(tmpdir(), 'interop-pki-'));
  const { cert, key } = writeSelfSignedCertificate(dir, { subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
  const serverRpk = join(dir, 'server-rpk.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  writeEcPrivateKey(serverRpk, newEcKey(), 'sec1');
  writeEcPrivateKey(clientRpk, newEcKey(), 'sec1');
  return { dir, cert, key, serverRpk, clientRpk };
}
