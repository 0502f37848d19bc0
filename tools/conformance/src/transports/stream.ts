/** Pairs on reliable transports over loopback: CoAP over TCP, over TLS (PSK) and over WebSockets. */
import { createLwM2mServer, InMemorySecurityStore } from '@lwm2m-ts/server';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { psk, pskLookup } from '../credentials';
import { connect, type LwM2mPair } from '../pair';

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

export async function wsPair(): Promise<LwM2mPair> {
  const serverTransport = await createWsTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({ transport: serverTransport });
  return connect(server, {
    endpointName: 'ws-dev',
    transport: await createWsTransport({}),
    serverUri: `coap+ws://127.0.0.1:${serverTransport.localAddress()!.port}`,
  });
}
