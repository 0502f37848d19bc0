/**
 * Our server under test: @lwm2m-ts/coap Endpoint over @lwm2m-ts/transport-udp, answering GET on
 * `/` with the same body as the baselines. Started as its own process by the harness.
 */

import { Endpoint, Router } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { BENCH_PAYLOAD } from './payload';

const port = Number(process.argv[2] ?? 25800);
const host = process.argv[3] ?? '127.0.0.1';
const body = new TextEncoder().encode(BENCH_PAYLOAD);

const transport = await createUdpTransport({ host, port });
const router = new Router().get('/', () => ({ payload: body, contentFormat: ContentFormat.TEXT_PLAIN }));
const endpoint = new Endpoint({
  transport,
  router,
  onError: (e, where) => console.error(`${where}: ${(e as Error).message}`),
});
console.log('listening');
const stop = () => {
  endpoint.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
