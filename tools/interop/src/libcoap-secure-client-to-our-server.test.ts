/**
 * libcoap's gnutls and openssl clients against our `coap serve` on coap+tcp, coaps+tcp (TLS PSK
 * and X.509) and coaps (DTLS PSK, X.509, raw public key). Assertions are on what coap-client
 * printed: it exits 0 even when the handshake fails.
 */
import { LARGE_BODY } from '@lwm2m-ts/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GNUTLS_CLIENT, haveSecureLibcoap, libcoapTool, OPENSSL_CLIENT } from './libcoap';
import { type OurServer, startOurServer } from './our-server';
import { peerAvailable } from './peers';
import { type InteropPki, writeInteropPki } from './pki';

const UDP = 26410;
const DTLS = 26411;
const TCP = 26412;
const TLS = 26413;
const RPK_UDP = 26414;
const RPK_DTLS = 26415;
const PSK = ['-u', 'CoAP', '-k', 'secretPSK'];
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const enabled = peerAvailable(
  `libcoap TLS builds (${GNUTLS_CLIENT}, ${OPENSSL_CLIENT})`,
  haveSecureLibcoap(),
  'apt-get install libcoap3-bin',
);

describe.runIf(enabled)('libcoap gnutls/openssl clients -> our coap serve (TCP, TLS, DTLS)', () => {
  let pki: InteropPki;
  let server: OurServer | undefined;
  beforeAll(async () => {
    pki = writeInteropPki();
    server = await startOurServer('127.0.0.1', UDP, 250, [
      ...['--dtls-port', String(DTLS), '--tcp-port', String(TCP), '--tls-port', String(TLS)],
      ...['--psk-identity', 'CoAP', '--psk-key', '73656372657450534b', '--cert', pki.cert, '--key', pki.key],
    ]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('coap+tcp: GET /time, and /large in 64-byte Block2 blocks (gnutls build)', async () => {
    const r = await libcoapTool(GNUTLS_CLIENT, [`coap+tcp://127.0.0.1:${TCP}/time`]);
    expect(r.stdout.trim()).toMatch(TIME);
    const large = await libcoapTool(GNUTLS_CLIENT, ['-b', '64', `coap+tcp://127.0.0.1:${TCP}/large`]);
    expect(large.stdout.replace(/\n$/, '')).toBe(LARGE_BODY);
  });

  it.each([GNUTLS_CLIENT, OPENSSL_CLIENT])('coaps+tcp with PSK (-u CoAP -k secretPSK): %s', async (client) => {
    const r = await libcoapTool(client, [...PSK, `coaps+tcp://127.0.0.1:${TLS}/time`]);
    expect(r.stdout.trim()).toMatch(TIME);
  });

  it('coaps+tcp with X.509: openssl build verifying our certificate (-R CA)', async () => {
    const r = await libcoapTool(OPENSSL_CLIENT, ['-R', pki.cert, `coaps+tcp://127.0.0.1:${TLS}/time`]);
    expect(r.stdout.trim()).toMatch(TIME);
  });

  it.each([OPENSSL_CLIENT, GNUTLS_CLIENT])('coaps (DTLS) with PSK: %s', async (client) => {
    const r = await libcoapTool(client, [...PSK, `coaps://127.0.0.1:${DTLS}/time`]);
    expect(r.stdout.trim()).toMatch(TIME);
  });

  it('coaps (DTLS) PSK: Block2 of /large at 64-byte blocks (openssl build)', async () => {
    const r = await libcoapTool(OPENSSL_CLIENT, [...PSK, '-b', '64', `coaps://127.0.0.1:${DTLS}/large`]);
    expect(r.stdout.replace(/\n$/, '')).toBe(LARGE_BODY);
  });

  it('coaps (DTLS) with X.509: openssl build verifying our certificate (-R CA)', async () => {
    const r = await libcoapTool(OPENSSL_CLIENT, ['-R', pki.cert, `coaps://127.0.0.1:${DTLS}/time`]);
    expect(r.stdout.trim()).toMatch(TIME);
  });

  it('a wrong PSK gets no payload on DTLS or TLS', async () => {
    const dtls = await libcoapTool(OPENSSL_CLIENT, ['-u', 'CoAP', '-k', 'wrongPSK', `coaps://127.0.0.1:${DTLS}/time`], {
      breakAfterS: 2,
    });
    expect(dtls.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const tls = await libcoapTool(
      GNUTLS_CLIENT,
      ['-u', 'CoAP', '-k', 'wrongPSK', `coaps+tcp://127.0.0.1:${TLS}/time`],
      {
        breakAfterS: 2,
      },
    );
    expect(tls.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('coaps (DTLS) with raw public keys: gnutls build -M against serve --rpk', async () => {
    const rpk = await startOurServer('127.0.0.1', RPK_UDP, 250, [
      ...['--dtls-port', String(RPK_DTLS), '--rpk', pki.serverRpk, '--peer-rpk', pki.clientRpk],
    ]);
    try {
      const r = await libcoapTool(GNUTLS_CLIENT, ['-M', pki.clientRpk, `coaps://127.0.0.1:${RPK_DTLS}/time`]);
      expect(r.stdout.trim()).toMatch(TIME);
      // serve pins the client's key: another key gets nothing.
      const other = await libcoapTool(GNUTLS_CLIENT, ['-M', pki.serverRpk, `coaps://127.0.0.1:${RPK_DTLS}/time`], {
        breakAfterS: 2,
      });
      expect(other.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
    } finally {
      expect(await rpk.stop()).toBe(0);
    }
  });
});
