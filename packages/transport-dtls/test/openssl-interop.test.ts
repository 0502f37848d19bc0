import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedCertificate } from '@lwm2m-ts/test-pki';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup } from './helpers';
import { havePeer, PeerProcess } from './peer-process';

const hasOpenssl = havePeer('openssl');
const PSK_ARGS = ['-psk', '73656372657450534b', '-psk_identity', 'CoAP'];
const open: DtlsTransport[] = [];
const peers: PeerProcess[] = [];
let dir = '';
let cert = '';
let key = '';

beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'dtls-interop-'));
  writeSelfSignedCertificate(dir, { certFile: 'ec-cert.pem', keyFile: 'ec-key.pem', days: 365 });
  cert = readFileSync(join(dir, 'ec-cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'ec-key.pem'), 'utf8');
});
afterEach(async () => {
  for (const p of peers.splice(0)) p.stop();
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** openssl s_client -> our server: handshake, data both ways, checked on s_client's output. */
async function clientToUs(server: DtlsTransport, port: number, args: string[], cipherName: string) {
  open.push(server);
  const peer = new PeerProcess('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, ...args], dir);
  peers.push(peer);
  // openssl prints the protocol version the cipher was introduced in (TLSv1.0 for the CBC ones).
  await peer.waitFor(new RegExp(`New, TLSv1\\.[02], Cipher is ${cipherName}`));
  await peer.waitFor(/Protocol {2}: DTLSv1\.2/);
  const got = nextFrame(server);
  peer.write('hello-from-openssl\n');
  const { frame, peer: from } = await got;
  expect(frame.toString()).toBe('hello-from-openssl\n');
  await server.send(from, Buffer.from('hello-from-lwm2m-ts\n'));
  await peer.waitFor(/hello-from-lwm2m-ts/);
  return from;
}

/** our client -> openssl s_server: data both ways, checked on s_server's output. */
async function usToServer(client: DtlsTransport, port: number, args: string[], cipherName: string) {
  open.push(client);
  const peer = new PeerProcess(
    'openssl',
    ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-naccept', '1', ...args],
    dir,
  );
  peers.push(peer);
  await peer.waitFor(/ACCEPT/);
  const target = { address: '127.0.0.1', port, key: `127.0.0.1|${port}` };
  await client.send(target, Buffer.from('hello-from-lwm2m-ts\n'));
  await peer.waitFor(/hello-from-lwm2m-ts/);
  expect(peer.output).toContain(`CIPHER is ${cipherName}`);
  const got = nextFrame(client);
  peer.write('hello-from-openssl\n');
  const { frame, peer: from } = await got;
  expect(frame.toString()).toBe('hello-from-openssl\n');
  return from;
}

describe.skipIf(!hasOpenssl)('interop with openssl 3 (DTLS 1.2)', () => {
  it('s_client -> our server, PSK-AES128-CCM8', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25700, psk: pskLookup });
    const from = await clientToUs(server, 25700, [...PSK_ARGS, '-cipher', 'PSK-AES128-CCM8'], 'PSK-AES128-CCM8');
    expect(from.identity).toEqual({ kind: 'psk', identity: 'CoAP' });
    expect(peers[0]!.output).toContain('Extended master secret: yes');
    expect(peers[0]!.output).toContain('Secure Renegotiation IS supported');
  });

  it('our client -> s_server, PSK-AES128-CCM8', async () => {
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
    await usToServer(client, 25701, ['-nocert', ...PSK_ARGS, '-cipher', 'PSK-AES128-CCM8'], 'PSK-AES128-CCM8');
  });

  it('s_client -> our server, ECDHE-ECDSA-AES128-CCM8 with an X.509 certificate', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25702, certificate: cert, privateKey: key });
    const args = [
      '-cipher',
      'ECDHE-ECDSA-AES128-CCM8',
      '-CAfile',
      'ec-cert.pem',
      '-verify_return_error',
      '-groups',
      'P-256',
    ];
    await clientToUs(server, 25702, args, 'ECDHE-ECDSA-AES128-CCM8');
  });

  it('our client -> s_server, ECDHE-ECDSA-AES128-CCM8, server certificate validated', async () => {
    const client = await createDtlsClient({ host: '127.0.0.1', trustedCertificates: [cert], serverName: 'localhost' });
    const args = ['-cert', 'ec-cert.pem', '-key', 'ec-key.pem', '-cipher', 'ECDHE-ECDSA-AES128-CCM8'];
    const from = await usToServer(client, 25703, args, 'ECDHE-ECDSA-AES128-CCM8');
    expect(from.identity).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
  });

  it('s_client -> our server, mutual X.509 (client certificate required)', async () => {
    const server = await createDtlsServer({
      host: '127.0.0.1',
      port: 25704,
      certificate: cert,
      privateKey: key,
      trustedCertificates: [cert],
    });
    const args = [
      '-cert',
      'ec-cert.pem',
      '-key',
      'ec-key.pem',
      '-cipher',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      '-CAfile',
      'ec-cert.pem',
    ];
    const from = await clientToUs(server, 25704, args, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(from.identity).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
  });

  for (const [cipher, port] of [
    ['PSK-AES128-CBC-SHA256', 25710],
    ['PSK-AES128-GCM-SHA256', 25711],
    ['ECDHE-PSK-AES128-CBC-SHA256', 25712],
  ] as const) {
    it(`s_client -> our server, ${cipher}`, async () => {
      const server = await createDtlsServer({ host: '127.0.0.1', port, psk: pskLookup });
      await clientToUs(server, port, [...PSK_ARGS, '-cipher', cipher], cipher);
    });
  }

  it('s_client -> our server, ECDHE-ECDSA-AES128-SHA256 (CBC)', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25713, certificate: cert, privateKey: key });
    const args = ['-cipher', 'ECDHE-ECDSA-AES128-SHA256', '-CAfile', 'ec-cert.pem', '-verify_return_error'];
    await clientToUs(server, 25713, args, 'ECDHE-ECDSA-AES128-SHA256');
  });

  it('s_client -reconnect resumes the session (abbreviated handshake)', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25705, psk: pskLookup });
    open.push(server);
    const peer = new PeerProcess('openssl', [
      's_client',
      '-dtls1_2',
      '-connect',
      '127.0.0.1:25705',
      ...PSK_ARGS,
      '-cipher',
      'PSK-AES128-CCM8',
      '-reconnect',
    ]);
    peers.push(peer);
    await peer.waitFor(/(Reused, TLSv1\.2[\s\S]*){5}/, 15_000);
  });

  it('s_client with a wrong PSK gets a bad_record_mac alert and no session exists', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25706, psk: pskLookup });
    open.push(server);
    const args = [
      's_client',
      '-dtls1_2',
      '-connect',
      '127.0.0.1:25706',
      '-psk',
      '0102030405',
      '-psk_identity',
      'CoAP',
      '-cipher',
      'PSK-AES128-CCM8',
    ];
    const peer = new PeerProcess('openssl', args);
    peers.push(peer);
    await peer.waitFor(/alert bad record mac/);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('s_client with an unknown identity gets unknown_psk_identity', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25707, psk: pskLookup });
    open.push(server);
    const args = [
      's_client',
      '-dtls1_2',
      '-connect',
      '127.0.0.1:25707',
      '-psk',
      '73656372657450534b',
      '-psk_identity',
      'Nobody',
      '-cipher',
      'PSK-AES128-CCM8',
    ];
    const peer = new PeerProcess('openssl', args);
    peers.push(peer);
    await peer.waitFor(/alert unknown psk identity/);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('our client -> s_server with the wrong PSK: s_server drops our Finished, our handshake times out', async () => {
    const client = await createDtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'CoAP', key: Buffer.from('wrong') },
      retransmitInitialMs: 200,
      limits: { handshakeTimeoutMs: 1500 },
    });
    open.push(client);
    const args = [
      's_server',
      '-dtls1_2',
      '-accept',
      '127.0.0.1:25708',
      '-naccept',
      '1',
      '-nocert',
      ...PSK_ARGS,
      '-cipher',
      'PSK-AES128-CCM8',
    ];
    const peer = new PeerProcess('openssl', args);
    peers.push(peer);
    await peer.waitFor(/ACCEPT/);
    const target = { address: '127.0.0.1', port: 25708, key: '127.0.0.1|25708' };
    await expect(client.send(target, Buffer.from('x'))).rejects.toThrow(/timed out|alert/);
    expect(peer.output).not.toContain('CIPHER is');
    expect(client.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('refuses renegotiation (s_client "R") with a no_renegotiation warning', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', port: 25709, psk: pskLookup });
    open.push(server);
    const args = [
      's_client',
      '-dtls1_2',
      '-connect',
      '127.0.0.1:25709',
      ...PSK_ARGS,
      '-cipher',
      'PSK-AES128-CCM8',
      '-state',
    ];
    const peer = new PeerProcess('openssl', args);
    peers.push(peer);
    await peer.waitFor(/New, TLSv1\.2, Cipher is PSK-AES128-CCM8/);
    peer.write('R\n');
    await peer.waitFor(/alert read:warning:no renegotiation/);
  });
});
