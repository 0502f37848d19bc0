import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, serverPeer } from './helpers';
import { havePeer } from './peer-process';

const hasOpenssl = havePeer('openssl');
let dir = '';
const pem: Record<string, string> = {};
const open: DtlsTransport[] = [];

function ossl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** CA -> intermediate -> leaf, plus an unrelated CA. */
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'dtls-x509-'));
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const ca of ['ca', 'other-ca']) {
    ossl(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '30',
      '-subj',
      `/CN=${ca}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
  }
  ossl('req', '-new', ...newKey, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=intermediate');
  ossl(
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'int.pem',
    '-days',
    '30',
    '-extfile',
    'ca.ext',
  );
  for (const leaf of ['server', 'device-1']) {
    ossl('req', '-new', ...newKey, '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', `/CN=${leaf}`);
    ossl(
      'x509',
      '-req',
      '-in',
      `${leaf}.csr`,
      '-CA',
      'int.pem',
      '-CAkey',
      'int.key',
      '-CAcreateserial',
      '-out',
      `${leaf}.pem`,
      '-days',
      '30',
      '-extfile',
      'leaf.ext',
    );
  }
  for (const f of ['ca', 'other-ca', 'int', 'server', 'device-1']) {
    pem[`${f}.pem`] = readFileSync(join(dir, `${f}.pem`), 'utf8');
    pem[`${f}.key`] = readFileSync(join(dir, `${f}.key`), 'utf8');
  }
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chain = (leaf: string) => pem[`${leaf}.pem`]! + pem['int.pem']!;

async function start(clientExtra: object = {}, serverExtra: object = {}) {
  const server = await createDtlsServer({
    host: '127.0.0.1',
    certificate: chain('server'),
    privateKey: pem['server.key']!,
    trustedCertificates: [pem['ca.pem']!],
    ...serverExtra,
  });
  const client = await createDtlsClient({
    host: '127.0.0.1',
    certificate: chain('device-1'),
    privateKey: pem['device-1.key']!,
    trustedCertificates: [pem['ca.pem']!],
    serverName: 'localhost',
    ...clientExtra,
  });
  open.push(server, client);
  return { server, client };
}

describe.skipIf(!hasOpenssl)('X.509 chains (CA -> intermediate -> leaf)', () => {
  it('validates both chains against the CA and exposes subject and certificate', async () => {
    const { server, client } = await start();
    const got = nextFrame(server);
    await client.send(serverPeer(server), Buffer.from('hello'));
    const { peer } = await got;
    expect(peer.identity).toMatchObject({ kind: 'x509', subject: 'CN=device-1' });
    const back = nextFrame(client);
    await server.send(peer, Buffer.from('back'));
    expect((await back).peer.identity).toMatchObject({ kind: 'x509', subject: 'CN=server' });
  });

  it('client rejects a server chain from another CA (unknown_ca)', async () => {
    const { server, client } = await start({ trustedCertificates: [pem['other-ca.pem']!] });
    await expect(client.send(serverPeer(server), Buffer.from('x'))).rejects.toThrow(/trusted certificate/);
    await new Promise((r) => setTimeout(r, 50)); // our fatal alert reaches the server
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('server rejects a client chain from another CA', async () => {
    const { server, client } = await start({}, { trustedCertificates: [pem['other-ca.pem']!] });
    await expect(client.send(serverPeer(server), Buffer.from('x'))).rejects.toThrow(/unknownCa/);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('rejects an expired certificate and a name mismatch', async () => {
    const later = Date.now() + 400 * 86_400_000;
    const a = await start({ now: () => later });
    await expect(a.client.send(serverPeer(a.server), Buffer.from('x'))).rejects.toThrow(/validity/);
    const b = await start({ serverName: 'example.org' });
    await expect(b.client.send(serverPeer(b.server), Buffer.from('x'))).rejects.toThrow(/does not match/);
  });

  it('server requires a client certificate when trust is configured', async () => {
    const { server, client } = await start({ certificate: undefined, privateKey: undefined });
    await expect(client.send(serverPeer(server), Buffer.from('x'))).rejects.toThrow(/handshakeFailure/);
  });
});
