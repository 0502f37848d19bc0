/** Test credentials written to a temp folder: EC P-256 keys, a self-signed certificate (openssl), OSCORE contexts. */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

const ecKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export function writeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'coap-cli-test-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed (openssl is needed for X.509 tests): ${r.stderr}`);
  const serverRpk = join(dir, 'server-rpk.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  writeFileSync(serverRpk, ecKey());
  writeFileSync(clientRpk, ecKey());
  const secret = '0102030405060708090a0b0c0d0e0f10';
  const salt = '9e7ca92223786340';
  const oscoreClient = join(dir, 'oscore-client.json');
  const oscoreServer = join(dir, 'oscore-server.json');
  writeFileSync(
    oscoreClient,
    JSON.stringify({ senderId: '01', recipientId: '', masterSecret: secret, masterSalt: salt }),
  );
  writeFileSync(
    oscoreServer,
    JSON.stringify({ senderId: '', recipientId: '01', masterSecret: secret, masterSalt: salt }),
  );
  return { dir, cert, key, serverRpk, clientRpk, oscoreClient, oscoreServer };
}
