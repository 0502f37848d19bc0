/**
 * Server under test for the transport benchmark: our Endpoint over UDP, UDP + OSCORE, TCP, TLS
 * (PSK) or WebSockets, answering GET `/` with the shared body. Usage: transport-server <kind>
 * <port> <host> <connections> (OSCORE: one context per client connection).
 */
import { createServer } from 'node:http';
import { Endpoint, type MessageLayer, Router, type Transport } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createOscoreLayer, SecurityContextRegistry } from '@lwm2m-ts/oscore';
import { createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { BENCH_PAYLOAD } from '../servers/payload';
import { BENCH_DTLS_SUITE, BENCH_PSK, serverOscoreContext } from './bench-security';
import { parseTransportKinds } from './transport-kind';

const [kind] = parseTransportKinds(process.argv[2] ?? 'udp');
const port = Number(process.argv[3] ?? 25900);
const host = process.argv[4] ?? '127.0.0.1';
const connections = Number(process.argv[5] ?? 64);
const body = new TextEncoder().encode(BENCH_PAYLOAD);

async function transportFor(): Promise<Transport> {
  switch (kind) {
    case 'tcp':
      return createTcpTransport({ host, port });
    case 'tls':
      return createTcpTransport({
        host,
        port,
        tls: { pskKey: (id) => (id === BENCH_PSK.identity ? BENCH_PSK.key : undefined) },
      });
    case 'dtls':
      return createDtlsServer({
        host,
        port,
        psk: (id) => (id === BENCH_PSK.identity ? BENCH_PSK.key : undefined),
        cipherSuites: [BENCH_DTLS_SUITE],
        limits: { maxSessions: connections + 1000, maxHandshakes: connections + 1000 },
      });
    case 'ws': {
      const http = createServer();
      await new Promise<void>((resolve) => http.listen(port, host, resolve));
      return createWsTransport({ server: http });
    }
    default:
      return createUdpTransport({ host, port });
  }
}

const layers: MessageLayer[] =
  kind === 'udp-oscore'
    ? [
        createOscoreLayer({
          contexts: new SecurityContextRegistry(Array.from({ length: connections }, (_, i) => serverOscoreContext(i))),
        }),
      ]
    : [];
const endpoint = new Endpoint({
  transport: await transportFor(),
  router: new Router().get('/', () => ({ payload: body, contentFormat: ContentFormat.TEXT_PLAIN })),
  layers,
  onError: (e, where) => console.error(`${where}: ${(e as Error).message}`),
});
console.log('listening');
const stop = () => {
  endpoint.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
