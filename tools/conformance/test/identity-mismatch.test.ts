/**
 * The security store binds an endpoint name to an X.509 subject or an OSCORE Sender ID: a client
 * that authenticated fine, but as someone else, is refused with 4.03 and nothing is stored.
 */
import { Endpoint } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createOscoreLayer, createSecurityContext } from '@lwm2m-ts/oscore';
import { type CoapLwM2mServer, createLwM2mServer, InMemorySecurityStore } from '@lwm2m-ts/server';
import { createDtlsClient, createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import { within } from '../src/pair';
import { selfSignedCertificate } from '../src/x509';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

async function register(endpoint: Endpoint, uri: string, name: string) {
  const res = await within(
    endpoint.request({
      method: 'POST',
      uri: `${uri}/rd?ep=${name}&lt=300&lwm2m=1.1&b=U`,
      contentFormat: ContentFormat.LINK_FORMAT,
      payload: new TextEncoder().encode('</3/0>'),
    }),
    15_000,
    `Register as ${name}`,
  );
  return res.codeText;
}

function track(server: CoapLwM2mServer, ...endpoints: Endpoint[]) {
  closers.push(() => server.close(), ...endpoints.map((e) => () => e.close()));
}

describe('registration refused for an authenticated but different identity', () => {
  it('X.509: a trusted certificate whose CN is not the endpoint name gets 4.03', async () => {
    const serverCert = selfSignedCertificate('localhost', 'IP:127.0.0.1');
    const device = selfSignedCertificate('dev-x');
    const intruder = selfSignedCertificate('intruder');
    const serverTransport = await createDtlsServer({
      host: '127.0.0.1',
      port: 0,
      certificate: serverCert.certificate,
      privateKey: serverCert.privateKey,
      trustedCertificates: [device.certificate, intruder.certificate],
    });
    const server = createLwM2mServer({
      transport: serverTransport,
      securityStore: new InMemorySecurityStore([{ endpoint: 'dev-x', x509: true }]),
    });
    const client = (cert: typeof device) =>
      createDtlsClient({
        host: '127.0.0.1',
        certificate: cert.certificate,
        privateKey: cert.privateKey,
        trustedCertificates: [serverCert.certificate],
      });
    const asIntruder = new Endpoint({ transport: await client(intruder) });
    const asDevice = new Endpoint({ transport: await client(device) });
    track(server, asIntruder, asDevice);
    const uri = `coaps://127.0.0.1:${serverTransport.localAddress()!.port}`;
    expect(await register(asIntruder, uri, 'dev-x')).toBe('4.03');
    expect(await server.listRegistrations()).toEqual([]);
    expect(await register(asDevice, uri, 'dev-x')).toBe('2.01');
    expect((await server.getRegistration('dev-x'))?.peer.identity).toMatchObject({ kind: 'x509' });
  });

  async function tlsX509World() {
    const serverCert = selfSignedCertificate('localhost', 'IP:127.0.0.1');
    const device = selfSignedCertificate('dev-t');
    const intruder = selfSignedCertificate('intruder');
    const serverTransport = await createTcpTransport({
      host: '127.0.0.1',
      port: 0,
      tls: {
        cert: serverCert.certificate,
        key: serverCert.privateKey,
        ca: [device.certificate, intruder.certificate],
        requestCert: true,
      },
    });
    const server = createLwM2mServer({
      transport: serverTransport,
      securityStore: new InMemorySecurityStore([{ endpoint: 'dev-t', x509: true }]),
    });
    const client = async (cert: typeof device) =>
      new Endpoint({
        transport: await createTcpTransport({
          tls: { cert: cert.certificate, key: cert.privateKey, ca: serverCert.certificate },
        }),
      });
    const asIntruder = await client(intruder);
    const asDevice = await client(device);
    track(server, asIntruder, asDevice);
    return { server, asIntruder, asDevice, uri: `coaps+tcp://127.0.0.1:${serverTransport.localAddress()!.port}` };
  }

  it('TLS X.509: a trusted certificate whose CN is not the endpoint name gets 4.03', async () => {
    const { server, asIntruder, uri } = await tlsX509World();
    expect(await register(asIntruder, uri, 'dev-t')).toBe('4.03');
    expect(await server.listRegistrations()).toEqual([]);
  });

  // Regression: transport-tcp once reported the bare CN ("dev-t") as the subject, so `x509: true`
  // never matched over TLS; it now reports the distinguished name exactly as DTLS does.
  it('TLS X.509: the certificate whose CN is the endpoint name registers (x509: true)', async () => {
    const { server, asDevice, uri } = await tlsX509World();
    expect(await register(asDevice, uri, 'dev-t')).toBe('2.01');
    expect((await server.getRegistration('dev-t'))?.peer.identity).toMatchObject({ kind: 'x509' });
  });

  it('OSCORE: a valid context with another Sender ID gets 4.03', async () => {
    const masterSecret = new Uint8Array(16).fill(7);
    const serverId = new Uint8Array([0x53]);
    const deviceId = new Uint8Array([0x01]);
    const otherId = new Uint8Array([0x02]);
    const serverContexts = [deviceId, otherId].map((recipientId) =>
      createSecurityContext({ masterSecret, senderId: serverId, recipientId }),
    );
    const serverTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const server = createLwM2mServer({
      transport: serverTransport,
      securityStore: new InMemorySecurityStore([
        { endpoint: 'dev-o', oscore: { recipientId: deviceId, senderId: serverId, masterSecret } },
      ]),
      endpoint: { layers: [createOscoreLayer({ contexts: serverContexts })] },
    });
    const client = async (senderId: Uint8Array) =>
      new Endpoint({
        transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
        layers: [
          createOscoreLayer({ contexts: createSecurityContext({ masterSecret, senderId, recipientId: serverId }) }),
        ],
      });
    const asOther = await client(otherId);
    const asDevice = await client(deviceId);
    track(server, asOther, asDevice);
    const uri = `coap://127.0.0.1:${serverTransport.localAddress()!.port}`;
    expect(await register(asOther, uri, 'dev-o')).toBe('4.03');
    expect(await server.listRegistrations()).toEqual([]);
    expect(await register(asDevice, uri, 'dev-o')).toBe('2.01');
    expect((await server.getRegistration('dev-o'))?.peer.identity).toMatchObject({ kind: 'oscore' });
  });
});
