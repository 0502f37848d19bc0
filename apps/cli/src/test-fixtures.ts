/** Test credentials written to a temp folder: EC P-256 keys, a self-signed certificate (openssl), OSCORE contexts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEcPrivateKey, writeOscoreContexts, writeSelfSignedCertificate } from '@lwm2m-ts/test-pki';

export interface Fixtures {
  readonly dir: string;
  /** Self-signed P-256 certificate for CN=localhost, SAN IP:127.0.0.1, IP:::1, DNS:localhost. */
  readonly cert: string;
  readonly key: string;
  /** Raw public key pairs (PEM private keys). */
  readonly serverRpk: string;
  readonly clientRpk: string;
  /** OSCORE contexts that match (client sender = server recipient). */
  readonly oscoreClient: string;
  readonly oscoreServer: string;
}

export function writeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'coap-cli-test-'));
  const { cert, key } = writeSelfSignedCertificate(dir, { subjectAltName: 'IP:127.0.0.1,IP:::1,DNS:localhost' });
  const serverRpk = join(dir, 'server-rpk.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  writeEcPrivateKey(serverRpk);
  writeEcPrivateKey(clientRpk);
  const oscore = writeOscoreContexts(dir);
  return { dir, cert, key, serverRpk, clientRpk, oscoreClient: oscore.client, oscoreServer: oscore.server };
}
