/** Test credentials in a temp folder (EC P-256 keys, a self-signed certificate via openssl, OSCORE contexts) and helpers. */
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LwM2mServer } from '@lwm2m-ts/server';

export interface SecureFixtures {
  readonly dir: string;
  /** Self-signed P-256 certificate for CN=localhost, SAN IP:127.0.0.1 (server and client use it). */
  readonly cert: string;
  readonly key: string;
  readonly serverRpk: string;
  readonly serverRpkPublic: string;
  readonly clientRpk: string;
  readonly oscoreClient: string;
  /** The server side of the OSCORE context (sender = client's recipient). */
  readonly oscoreServer: string;
  remove(): void;
}

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

export function writeSecureFixtures(): SecureFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-sim-test-'));
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
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed (openssl is needed for X.509 tests): ${r.stderr}`);
  const serverKey = ecKey();
  const serverRpk = join(dir, 'server-rpk.pem');
  const serverRpkPublic = join(dir, 'server-rpk.pub.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  writeFileSync(serverRpk, serverKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(serverRpkPublic, createPublicKey(serverKey).export({ type: 'spki', format: 'pem' }));
  writeFileSync(clientRpk, ecKey().export({ type: 'pkcs8', format: 'pem' }));
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
  return {
    dir,
    cert,
    key,
    serverRpk,
    serverRpkPublic,
    clientRpk,
    oscoreClient,
    oscoreServer,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const waitFor = async (what: () => boolean | Promise<boolean>, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

export const plainOf = (node: unknown): unknown => (node as { value?: { value?: unknown } } | undefined)?.value?.value;

/** Identities the server saw on Register, by endpoint. */
export function registeredIdentities(server: LwM2mServer): Map<string, unknown> {
  const seen = new Map<string, unknown>();
  server.events.on('registered', (e) => seen.set(e.registration.endpoint, e.registration.peer.identity));
  return seen;
}
