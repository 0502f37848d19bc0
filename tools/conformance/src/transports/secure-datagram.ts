/**
 * Pairs on secured datagram transports over loopback: DTLS 1.2 with PSK or raw public keys, and
 * OSCORE over plain UDP. Each server holds a security store, so registration is identity-checked.
 */
import { createOscoreLayer, createSecurityContext } from '@lwm2m-ts/oscore';
import { createLwM2mServer, InMemorySecurityStore } from '@lwm2m-ts/server';
import { createDtlsClient, createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { psk, pskLookup, rawPublicKey } from '../credentials';
import { connect, type LwM2mPair } from '../pair';
import { selfSignedCertificate } from '../x509';

export async function dtlsPskPair(): Promise<LwM2mPair> {
  const credential = psk('dtls-dev-identity');
  const serverTransport = await createDtlsServer({ host: '127.0.0.1', port: 0, psk: pskLookup(credential) });
  const securityStore = new InMemorySecurityStore([{ endpoint: 'dtls-psk-dev', psk: credential }]);
  const server = createLwM2mServer({ transport: serverTransport, securityStore });
  return connect(
    server,
    {
      endpointName: 'dtls-psk-dev',
      transport: await createDtlsClient({ host: '127.0.0.1', psk: credential }),
      serverUri: `coaps://127.0.0.1:${serverTransport.localAddress()!.port}`,
    },
    'psk',
  );
}

/** DTLS with raw public keys (RFC 7250, ECDHE-ECDSA); each side trusts exactly the other's key. */
export async function dtlsRpkPair(): Promise<LwM2mPair> {
  const serverKey = rawPublicKey();
  const clientKey = rawPublicKey();
  const serverTransport = await createDtlsServer({
    host: '127.0.0.1',
    port: 0,
    rpk: { privateKey: serverKey.privateKey, trusted: [clientKey.spki] },
  });
  const securityStore = new InMemorySecurityStore([{ endpoint: 'dtls-rpk-dev', rpk: { publicKey: clientKey.spki } }]);
  const server = createLwM2mServer({ transport: serverTransport, securityStore });
  return connect(
    server,
    {
      endpointName: 'dtls-rpk-dev',
      transport: await createDtlsClient({
        host: '127.0.0.1',
        rpk: { privateKey: clientKey.privateKey, trusted: [serverKey.spki] },
      }),
      serverUri: `coaps://127.0.0.1:${serverTransport.localAddress()!.port}`,
    },
    'rpk',
  );
}

/**
 * DTLS with X.509 certificates both ways (ECDHE-ECDSA); the security store requires the client
 * certificate's CN to equal the endpoint name.
 */
export async function dtlsX509Pair(): Promise<LwM2mPair> {
  const serverCert = selfSignedCertificate('localhost', 'IP:127.0.0.1,DNS:localhost');
  const clientCert = selfSignedCertificate('dtls-x509-dev');
  const serverTransport = await createDtlsServer({
    host: '127.0.0.1',
    port: 0,
    certificate: serverCert.certificate,
    privateKey: serverCert.privateKey,
    trustedCertificates: [clientCert.certificate],
  });
  const securityStore = new InMemorySecurityStore([{ endpoint: 'dtls-x509-dev', x509: true }]);
  const server = createLwM2mServer({ transport: serverTransport, securityStore });
  return connect(
    server,
    {
      endpointName: 'dtls-x509-dev',
      transport: await createDtlsClient({
        host: '127.0.0.1',
        certificate: clientCert.certificate,
        privateKey: clientCert.privateKey,
        trustedCertificates: [serverCert.certificate],
      }),
      serverUri: `coaps://127.0.0.1:${serverTransport.localAddress()!.port}`,
    },
    'x509',
  );
}

/** OSCORE (RFC 8613) as an Endpoint layer on both sides, over UDP; every request must be protected. */
export async function oscorePair(): Promise<LwM2mPair> {
  const masterSecret = new Uint8Array(16).map((_, i) => i + 1);
  const masterSalt = new Uint8Array([0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40]);
  const serverId = new Uint8Array([0x53]);
  const clientId = new Uint8Array([0x43, 0x01]);
  const serverContext = createSecurityContext({ masterSecret, masterSalt, senderId: serverId, recipientId: clientId });
  const clientContext = createSecurityContext({ masterSecret, masterSalt, senderId: clientId, recipientId: serverId });
  const securityStore = new InMemorySecurityStore([
    { endpoint: 'oscore-dev', oscore: { recipientId: clientId, senderId: serverId, masterSecret, masterSalt } },
  ]);
  const serverTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({
    transport: serverTransport,
    securityStore,
    endpoint: { layers: [createOscoreLayer({ contexts: serverContext })] },
  });
  return connect(
    server,
    {
      endpointName: 'oscore-dev',
      transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
      serverUri: `coap://127.0.0.1:${serverTransport.localAddress()!.port}`,
      endpoint: { layers: [createOscoreLayer({ contexts: clientContext })] },
    },
    'oscore',
  );
}
