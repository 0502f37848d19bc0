/**
 * Our `coap` CLI against libcoap's TLS-capable servers, as INTEROP.md runs them:
 * `coap-server-gnutls -A 127.0.0.1 -p P -k secretPSK -h CoAP` (UDP+TCP on P, DTLS+TLS on P+1),
 * `coap-server-gnutls -M key.pem` (raw public key) and `coap-server-openssl -c cert -j key -n` (X.509).
 * Every assertion is on what the CLI printed, i.e. what libcoap answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GNUTLS_SERVER, haveSecureLibcoap, OPENSSL_SERVER, startLibcoapSecureServer } from './libcoap';
import { coap } from './our-cli';
import { type Background, peerAvailable } from './peers';
import { type InteropPki, writeInteropPki } from './pki';

const P = 26420;
const RPK_P = 26422;
const X509_P = 26424;
const PSK = ['--psk-identity', 'CoAP', '--psk-key', '73656372657450534b'];
/** libcoap's /time: "Nov 21 20:55:19". */
const THEIR_TIME = /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d$/;
const enabled = peerAvailable(
  `libcoap TLS builds (${GNUTLS_SERVER}, ${OPENSSL_SERVER})`,
  haveSecureLibcoap(),
  'apt-get install libcoap3-bin',
);

describe.runIf(enabled)('our CLI -> libcoap coap-server-gnutls / -openssl (TCP, TLS, DTLS)', () => {
  let pki: InteropPki;
  const servers: Background[] = [];
  beforeAll(async () => {
    pki = writeInteropPki();
    servers.push(
      await startLibcoapSecureServer(GNUTLS_SERVER, '127.0.0.1', P, ['-k', 'secretPSK', '-h', 'CoAP']),
      await startLibcoapSecureServer(GNUTLS_SERVER, '127.0.0.1', RPK_P, ['-M', pki.serverRpk]),
      await startLibcoapSecureServer(OPENSSL_SERVER, '127.0.0.1', X509_P, ['-c', pki.cert, '-j', pki.key, '-n']),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('coap+tcp://P: GET /time, -v shows the CSM exchange, discovery', async () => {
    const r = await coap(['get', '-v', `coap+tcp://127.0.0.1:${P}/time`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(THEIR_TIME);
    expect(r.err).toMatch(new RegExp(`<- 127\\.0\\.0\\.1:${P} 7\\.01 CSM`));
    expect(r.err).toMatch(new RegExp(`<- 127\\.0\\.0\\.1:${P} 2\\.05 tok=`));
    const d = await coap(['discover', `coap+tcp://127.0.0.1:${P}/?rt=ticks`]);
    expect(d.out).toMatch(/^<\/time>/);
  });

  it('coap+tcp://P: observe /time for 3 notifications', async () => {
    const r = await coap(['observe', '--count', '3', '--json', `coap+tcp://127.0.0.1:${P}/time`]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { code: string; observe?: number });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.code === '2.05' && l.observe !== undefined)).toBe(true);
  }, 20_000);

  it('coaps://P+1 with PSK (DTLS)', async () => {
    const r = await coap(['get', ...PSK, `coaps://127.0.0.1:${P + 1}/time`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(THEIR_TIME);
  });

  it('coaps+tcp://P+1 with PSK (TLS)', async () => {
    const r = await coap(['get', ...PSK, `coaps+tcp://127.0.0.1:${P + 1}/time`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(THEIR_TIME);
  });

  it('a wrong PSK: DTLS and TLS both fail with exit 4 and a sentence', async () => {
    const wrong = ['--psk-identity', 'CoAP', '--psk-key', '0011223344', '--timeout', '3'];
    const dtls = await coap(['get', ...wrong, `coaps://127.0.0.1:${P + 1}/time`]);
    expect(dtls.out).toBe('');
    // gnutls drops the handshake silently (no alert): the CLI says the handshake never completed.
    expect(dtls.code).toBe(4);
    expect(dtls.err).toMatch(/no response from coaps:.*: the DTLS handshake did not complete \(wrong credentials/);
    const tls = await coap(['get', ...wrong, `coaps+tcp://127.0.0.1:${P + 1}/time`]);
    expect(tls.out).toBe('');
    expect(tls.code).toBe(4);
    expect(tls.err).toMatch(/cannot connect to coaps\+tcp:/);
  });

  it('coaps:// with raw public keys (--rpk, --peer-rpk pins the server key)', async () => {
    const r = await coap([
      'get',
      '--rpk',
      pki.clientRpk,
      '--peer-rpk',
      pki.serverRpk,
      `coaps://127.0.0.1:${RPK_P + 1}/time`,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(THEIR_TIME);
    const pinnedWrong = await coap([
      ...['get', '--rpk', pki.clientRpk, '--peer-rpk', pki.clientRpk, '--timeout', '3'],
      `coaps://127.0.0.1:${RPK_P + 1}/time`,
    ]);
    expect(pinnedWrong.out).toBe('');
    expect(pinnedWrong.code).toBe(4);
    expect(pinnedWrong.err).toMatch(/cannot reach coaps:.*(handshake|certificate|key)/i);
  });

  it('coaps:// and coaps+tcp:// with X.509 (--ca verifies the server certificate)', async () => {
    const dtls = await coap(['get', '--ca', pki.cert, `coaps://127.0.0.1:${X509_P + 1}/time`]);
    expect(dtls.code).toBe(0);
    expect(dtls.out).toMatch(THEIR_TIME);
    const tls = await coap(['get', '--ca', pki.cert, `coaps+tcp://127.0.0.1:${X509_P + 1}/time`]);
    expect(tls.code).toBe(0);
    expect(tls.out).toMatch(THEIR_TIME);
  });
});
