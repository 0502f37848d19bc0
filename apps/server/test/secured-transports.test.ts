/**
 * Secured LwM2M in-process on loopback: DTLS with PSK (added over the REST API), RPK and X.509;
 * a wrong PSK gets no session; a device authenticated as one endpoint cannot register as another;
 * CoAP over TLS with a PSK.
 */
import { createPublicKey } from 'node:crypto';
import { type LwM2mClient, SecurityMode } from '@lwm2m-ts/client';
import { Endpoint } from '@lwm2m-ts/coap';
import { createDtlsClient } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';
import { ecKeyPair, secureDevice, selfSigned } from './secure-fixtures';

const serverCert = selfSigned('lwm2m-server', 'IP:127.0.0.1');
const serverSpki = new Uint8Array(createPublicKey(serverCert.privateKey).export({ type: 'spki', format: 'der' }));
const deviceCert = selfSigned('x509-dev');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const keyA = new Uint8Array(16).fill(0xa1);
const keyB = new Uint8Array(16).fill(0xb2);

let app: ServerApp;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  app = await startTestApp({
    tlsHost: '127.0.0.1',
    tlsPort: 0,
    credentials: {
      certificate: serverCert.certificate,
      privateKey: serverCert.privateKey,
      trustedCertificates: deviceCert.certificate,
    },
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await app?.close();
});

async function started(client: LwM2mClient): Promise<LwM2mClient> {
  cleanups.push(() => client.stop());
  await client.start();
  return client;
}

async function registration(endpoint: string) {
  return waitFor(async () => {
    const r = await api(app, 'GET', `/api/clients/${endpoint}`);
    return r.status === 200 ? r.json : undefined;
  });
}

describe('LwM2M over DTLS', () => {
  it('serves coaps by default and reports the ports', async () => {
    expect(app.coapsPort).toBeGreaterThan(0);
    expect(app.dtlsPort).toBe(app.coapsPort);
    expect(app.bsCoapsPort).toBeGreaterThan(0);
    expect(app.tlsPort).toBeGreaterThan(0);
  });

  it('registers and reads a raw-public-key device whose key was added as PEM', async () => {
    const device = ecKeyPair();
    const pem = createPublicKey(device.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const put = await api(app, 'PUT', '/api/security/clients/rpk-dev', { rpk: { publicKey: pem } });
    expect(put.status, put.text).toBe(201);
    expect(put.json.rpk.publicKey).toBe(hex(device.spki));
    const transport = await createDtlsClient({ rpk: { privateKey: device.privateKey, trusted: [serverSpki] } });
    await started(
      secureDevice('rpk-dev', transport, {
        uri: `coaps://127.0.0.1:${app.coapsPort}`,
        shortServerId: 1,
        mode: SecurityMode.RPK,
      }),
    );
    expect(await registration('rpk-dev')).toMatchObject({ secured: true, securityMode: 'rpk', transport: 'coaps' });
    const read = await api(app, 'GET', '/api/clients/rpk-dev/3/0/1');
    expect(read.json.content.value).toBe('rpk-dev');
  });

  it('refuses a raw public key that is in no security info (no session)', async () => {
    const stranger = ecKeyPair();
    const transport = await createDtlsClient({ rpk: { privateKey: stranger.privateKey, trusted: [serverSpki] } });
    cleanups.push(() => transport.close());
    const peer = await transport.resolvePeer('127.0.0.1', app.coapsPort!);
    await expect(transport.send(peer, new Uint8Array([0x40, 0, 0, 1]))).rejects.toThrow();
    expect(transport.stats().sessions).toBe(0);
  });

  it('registers and reads an X.509 device (CN = endpoint)', async () => {
    const put = await api(app, 'PUT', '/api/security/clients/x509-dev', { x509: {} });
    expect(put.status, put.text).toBe(201);
    const transport = await createDtlsClient({
      certificate: deviceCert.certificate,
      privateKey: deviceCert.privateKey,
      trustedCertificates: [serverCert.certificate],
      serverName: '127.0.0.1',
    });
    await started(
      secureDevice('x509-dev', transport, {
        uri: `coaps://127.0.0.1:${app.coapsPort}`,
        shortServerId: 1,
        mode: SecurityMode.CERTIFICATE,
      }),
    );
    expect(await registration('x509-dev')).toMatchObject({ secured: true, securityMode: 'x509', transport: 'coaps' });
    const read = await api(app, 'GET', '/api/clients/x509-dev/3/0/0');
    expect(read.json.content.value).toBe('lwm2m-ts');
  });

  it('gives a wrong PSK no session and registers nothing', async () => {
    await api(app, 'PUT', '/api/security/clients/wrong-psk', { psk: { identity: 'wrong-psk-id', key: hex(keyA) } });
    const transport = await createDtlsClient({ psk: { identity: 'wrong-psk-id', key: keyB } });
    cleanups.push(() => transport.close());
    const endpoint = new Endpoint({ transport });
    const answer = endpoint.request({
      method: 'POST',
      uri: `coaps://127.0.0.1:${app.coapsPort}/rd?ep=wrong-psk&lt=60`,
      payload: '</3/0>',
      timeoutMs: 5_000,
    });
    await expect(answer).rejects.toThrow();
    expect(transport.stats().sessions).toBe(0);
    expect((await api(app, 'GET', '/api/clients/wrong-psk')).status).toBe(404);
  });

  it('answers 4.03 to a device authenticated as one endpoint registering as another', async () => {
    await api(app, 'PUT', '/api/security/clients/ep-a', { psk: { identity: 'ep-a-id', key: hex(keyA) } });
    await api(app, 'PUT', '/api/security/clients/ep-b', { psk: { identity: 'ep-b-id', key: hex(keyB) } });
    const transport = await createDtlsClient({ psk: { identity: 'ep-a-id', key: keyA } });
    cleanups.push(() => transport.close());
    const endpoint = new Endpoint({ transport });
    const register = (ep: string) =>
      endpoint.request({
        method: 'POST',
        uri: `coaps://127.0.0.1:${app.coapsPort}/rd?ep=${ep}&lt=60`,
        payload: '</3/0>',
        timeoutMs: 5_000,
      });
    expect((await register('ep-b')).codeText).toBe('4.03');
    expect((await api(app, 'GET', '/api/clients/ep-b')).status).toBe(404);
    expect((await register('ep-a')).codeText).toBe('2.01');
    expect(await registration('ep-a')).toMatchObject({ securityMode: 'psk', transport: 'coaps' });
  });
});

describe('LwM2M over TLS (coaps+tcp)', () => {
  it('registers and reads a PSK device', async () => {
    const put = await api(app, 'PUT', '/api/security/clients/tls-dev', {
      psk: { identity: 'tls-dev-id', key: hex(keyB) },
    });
    expect(put.status).toBe(201);
    const transport = await createTcpTransport({ tls: { psk: { identity: 'tls-dev-id', key: keyB } } });
    await started(
      secureDevice('tls-dev', transport, {
        uri: `coaps+tcp://127.0.0.1:${app.tlsPort}`,
        shortServerId: 1,
        mode: SecurityMode.PSK,
        identity: 'tls-dev-id',
        secretKey: keyB,
      }),
    );
    expect(await registration('tls-dev')).toMatchObject({ secured: true, securityMode: 'psk', transport: 'coaps+tcp' });
    const read = await api(app, 'GET', '/api/clients/tls-dev/3/0/1');
    expect(read.json.content.value).toBe('tls-dev');
  });

  it('registers an X.509 device (client certificate checked against --ca, CN = endpoint)', async () => {
    await api(app, 'PUT', '/api/security/clients/x509-dev', { x509: {} });
    const transport = await createTcpTransport({
      tls: { cert: deviceCert.certificate, key: deviceCert.privateKey, ca: serverCert.certificate },
    });
    await started(
      secureDevice('x509-dev', transport, {
        uri: `coaps+tcp://127.0.0.1:${app.tlsPort}`,
        shortServerId: 1,
        mode: SecurityMode.CERTIFICATE,
      }),
    );
    const registered = await waitFor(async () => {
      const r = (await api(app, 'GET', '/api/clients/x509-dev')).json;
      return r?.transport === 'coaps+tcp' ? r : undefined;
    });
    expect(registered).toMatchObject({ secured: true, securityMode: 'x509' });
    expect((await api(app, 'GET', '/api/clients/x509-dev/3/0/1')).json.content.value).toBe('x509-dev');
  });
});
