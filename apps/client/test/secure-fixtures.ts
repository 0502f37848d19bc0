/** Test credentials in a temp folder (EC P-256 keys, a self-signed certificate via openssl, OSCORE contexts) and helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LwM2mServer } from '@lwm2m-ts/server';
import {
  writeEcPrivateKey,
  writeEcPublicKey,
  writeOscoreContexts,
  writeSelfSignedCertificate,
} from '@lwm2m-ts/test-pki';

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

export function writeSecureFixtures(): SecureFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-sim-test-'));
  const { cert, key } = writeSelfSignedCertificate(dir, { subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
  const serverRpk = join(dir, 'server-rpk.pem');
  const serverRpkPublic = join(dir, 'server-rpk.pub.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  writeEcPublicKey(serverRpkPublic, writeEcPrivateKey(serverRpk));
  writeEcPrivateKey(clientRpk);
  const oscore = writeOscoreContexts(dir);
  return {
    dir,
    cert,
    key,
    serverRpk,
    serverRpkPublic,
    clientRpk,
    oscoreClient: oscore.client,
    oscoreServer: oscore.server,
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
