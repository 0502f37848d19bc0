/** Credentials for the secure interop tests, written to a temp folder with openssl (on the machine already). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InteropPki {
  readonly dir: string;
  /** Self-signed EC P-256 certificate for CN=localhost, SAN IP:127.0.0.1, DNS:localhost (also its own CA). */
  readonly cert: string;
  readonly key: string;
  /** EC P-256 keys in SEC1 PEM ("EC PRIVATE KEY"), the form libcoap's gnutls build reads with -M. */
  readonly serverRpk: string;
  readonly clientRpk: string;
}

function openssl(args: readonly string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

export function writeInteropPki(): InteropPki {
  const dir = mkdtempSync(join(tmpdir(), 'interop-pki-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  openssl([
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
  ]);
  const serverRpk = join(dir, 'server-rpk.pem');
  const clientRpk = join(dir, 'client-rpk.pem');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', serverRpk]);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', clientRpk]);
  return { dir, cert, key, serverRpk, clientRpk };
}

/** Matching OSCORE contexts (client sender 01 = server recipient 01), as `--oscore-context` files. */
export function writeOscoreContexts(dir: string): { client: string; server: string } {
  const secret = '0102030405060708090a0b0c0d0e0f10';
  const salt = '9e7ca92223786340';
  const client = join(dir, 'oscore-client.json');
  const server = join(dir, 'oscore-server.json');
  writeFileSync(client, JSON.stringify({ senderId: '01', recipientId: '', masterSecret: secret, masterSalt: salt }));
  writeFileSync(server, JSON.stringify({ senderId: '', recipientId: '01', masterSecret: secret, masterSalt: salt }));
  return { client, server };
}
