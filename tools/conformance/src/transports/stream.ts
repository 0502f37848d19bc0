/** Pairs on reliable transports over loopback: CoAP over TCP, over TLS (PSK) and over WebSockets. */
import { createLwM2mServer, InMemorySecurityStore } from '@lwm2m-ts/server';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { psk, pskLookup } from '../credentials';
import { connect, type LwM2mPair } from '../pair';
import { selfSignedCertificate } from '../x509';

export async function tcpPair(): Promise<LwM2mPair> {
  const serverTransport = await createTcpTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({ transport: serverTransport });
  return connect(server, {
    endpointName: 'tcp-dev',
    transport: await createTcpTransport({}),
    serverUri: `coap+tcp://127.0.0.1:${serverTransport.localAddress()!.port}`,
  });
}

/** TLS 1.2 PSK; the server admits the endpoint only with its provisioned PSK identity. */
export async function tlsPskPair(): Promise<LwM2mPair> {
  const credential = psk('tls-dev-identity');
  const serverTransport = await createTcpTransport({
    host: '127.0.0.1',
    port: 0,
    tls: { pskKey: pskLookup(credential) },
  });
  const securityStore = new InMemorySecurityStore([{ endpoint: 'tls-dev', psk: credential }]);
  const server = createLwM2mServer({ transport: serverTransport, securityStore });
  return connect(
    server,
    {
      endpointName: 'tls-dev',
      transport: await createTcpTransport({ tls: { psk: credential } }),
      serverUri: `coaps+tcp://127.0.0.1:${serverTransport.localAddress()!.port}`,
    },
    'psk',
  );
}

/**
 * TLS 1.2 with certificates both ways. No security store: transport-tcp reports the bare CN as the
 * X.509 subject, which `x509: true` cannot match (see identity-mismatch.test.ts); the suite still
 * checks that the registration carries an x509 identity.
 */
export async function tlsX509Pair(): Promise<LwM2mPair> {
  const serverCert = selfSignedCertificate('localhost', 'IP:127.0.0.1,DNS:localhost');
  const clientCert = selfSignedCertificate('tls-x509-dev');
  const serverTransport = await createTcpTransport({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: serverCert.certificate, key: serverCert.privateKey, ca: clientCert.certificate, requestCert: true },
  });
  const server = createLwM2mServer({ transport: serverTransport });
  return connect(
    server,
    {
      endpointName: 'tls-x509-dev',
      transport: await createTcpTransport({
        tls: { cert: clientCert.certificate, key: clientCert.privateKey, ca: serverCert.certificate },
      }),
      serverUri: `coaps+tcp://127.0.0.1:${serverTransport.localAddress()!.port}`,
    },
    'x509',
  );
}

export async function wsPair(): Promise<LwM2mPair> {
  const serverTransport = await createWsTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({ transport: serverTransport });
  return connect(server, {
    endpointName: 'ws-dev',
    transport: await createWsTransport({}),
    serverUri: `coap+ws://127.0.0.1:${serverTransport.localAddress()!.port}`,
  });
}
