/**
 * Registration throughput and memory of the LwM2M server.
 *   pnpm --filter @lwm2m-ts/server bench
 * 1. Core: Register requests (query + 10-object link payload, parsed and validated) into the
 *    in-memory store through `LwM2mServer`, as fast as they come.
 * 2. End to end over CoAP: devices on a MemoryNetwork register through the full stack
 *    (encode, reliability, router, /rd handler, response), 32 devices in parallel.
 * 3. Memory: heap growth per registration with 100 000 registrations held by the server.
 */
import { Endpoint, makePeer } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createLwM2mServer, type DownlinkSender, LwM2mServer, parseRegisterRequest } from '../src/index';

const LINKS =
  '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</3303/0>,</3304/0>,</3311/0>,</3442/0>';
const LINK_BYTES = new TextEncoder().encode(LINKS);
const decoder = new TextDecoder();
const noSender: DownlinkSender = {
  send: () => Promise.reject(new Error('benchmark server sends nothing')),
};
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

async function registerMany(server: LwM2mServer, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    // Fresh strings per request, as a real server gets them off the wire.
    const links = decoder.decode(LINK_BYTES);
    const parsed = parseRegisterRequest([`ep=${prefix}-${i}`, 'lt=86400', 'lwm2m=1.1', 'b=U'], links);
    if (!parsed.ok) throw new Error(parsed.diagnostic);
    const peer = makePeer(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 5683 + (i % 1000));
    const result = await server.registrations.register(parsed.value, peer);
    if (result.code !== '2.01') throw new Error(`register failed: ${result.code}`);
  }
}

async function coreThroughput(): Promise<number> {
  const server = new LwM2mServer({ sender: noSender });
  await registerMany(server, 20_000, 'warm');
  const count = 100_000;
  const start = performance.now();
  await registerMany(server, count, 'bench');
  const seconds = (performance.now() - start) / 1000;
  return count / seconds;
}

async function coapThroughput(): Promise<number> {
  const network = new MemoryNetwork();
  const serverTransport = network.transport('server', { port: 5683 });
  const server = createLwM2mServer({ transport: serverTransport });
  const devices = Array.from({ length: 32 }, (_, i) => {
    const transport = network.transport(`device${i}`);
    return { endpoint: new Endpoint({ transport }), server: transport.peerOf(serverTransport) };
  });
  const perDevice = 1_000;
  const run = (prefix: string, n: number) =>
    Promise.all(
      devices.map(async (device, d) => {
        for (let i = 0; i < n; i++) {
          const response = await device.endpoint.request({
            peer: device.server,
            method: 'POST',
            path: 'rd',
            query: [`ep=${prefix}-${d}-${i}`, 'lt=86400', 'lwm2m=1.1', 'b=U'],
            payload: LINK_BYTES,
            contentFormat: ContentFormat.LINK_FORMAT,
          });
          if (response.codeText !== '2.01') throw new Error(`register failed: ${response.codeText}`);
        }
      }),
    );
  await run('warm', 100);
  const start = performance.now();
  await run('bench', perDevice);
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(devices.map((d) => d.endpoint.close()));
  await server.close();
  return (devices.length * perDevice) / seconds;
}

async function memoryPerRegistration(): Promise<number> {
  const count = 100_000;
  const server = new LwM2mServer({ sender: noSender });
  const before = heap();
  await registerMany(server, count, 'mem');
  const after = heap();
  if ((await server.listRegistrations()).length !== count) throw new Error('lost registrations');
  return (after - before) / count;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
if (!gc) console.warn('run node with --expose-gc for exact memory numbers');
console.log('@lwm2m-ts/server registration benchmark (10-object link payload)');
const core = await coreThroughput();
console.log(`  core Register (parse + validate + authorize + store): ${fmt(core)} registrations/s (target >= 20,000)`);
const coap = await coapThroughput();
console.log(`  end to end over CoAP (MemoryNetwork, 32 devices):       ${fmt(coap)} registrations/s`);
const bytes = await memoryPerRegistration();
console.log(`  memory: ${fmt(bytes)} bytes per registration with 100,000 held (target <= 1,536)`);
