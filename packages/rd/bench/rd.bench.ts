/**
 * Registrations/s and lookups/s with 100,000 registered endpoints, through the core API and
 * over CoAP (MemoryNetwork, so the CoAP engine is measured but no kernel socket).
 * Run: `cd packages/rd && pnpm exec vitest bench --run` (sources resolved through the aliases).
 */
import { Endpoint, makePeer } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { parseLinkFormat } from '@lwm2m-ts/codec';
import { afterAll, bench, describe } from 'vitest';
import { serveResourceDirectory } from '../src/coap-interface';
import { parseRegistrationParameters } from '../src/parameters';
import { parseLookupQuery } from '../src/query';
import { ResourceDirectory } from '../src/resource-directory';

const N = 100_000;
let seq = 0;
const rd = new ResourceDirectory({ idGenerator: () => (++seq).toString(36) });
const source = { peer: makePeer('2001:db8::1', 5683), sourceBase: 'coap://[2001:db8::1]:5683' };
const linksFor = (i: number) =>
  parseLinkFormat(
    `</s/temp>;rt="temperature";if="sensor",</s/light>;rt="light-lux";obs,</dev>;rt="dev-${i}";title="device ${i}"`,
  );
const paramsFor = (i: number) =>
  parseRegistrationParameters([`ep=node-${i}`, `d=sector-${i % 10}`, `et=type-${i % 5}`, 'lt=86400']);

const t0 = performance.now();
for (let i = 0; i < N; i++) await rd.register(paramsFor(i), linksFor(i), source);
const loadMs = performance.now() - t0;
console.log(
  `bulk load: ${N} registrations in ${loadMs.toFixed(0)} ms = ${Math.round(N / (loadMs / 1000))} registrations/s`,
);

let next = N;
let pick = 0;
const random = () => {
  pick = (pick * 1103515245 + 12345) % 2 ** 31;
  return pick % N;
};

describe(`core API, ${N} registrations`, () => {
  bench('register a new endpoint', async () => {
    const i = next++;
    await rd.register(paramsFor(i), linksFor(i), source);
  });
  bench('registration update (lifetime refresh)', async () => {
    const r = await rd.store.findByName(`node-${random()}`, `sector-${(pick % N) % 10}`);
    if (r) await rd.update(r.id, { attributes: [] }, undefined, source);
  });
  bench('resource lookup ?rt=dev-<i> (1 match, rt index)', async () => {
    const links = await rd.lookupResources(parseLookupQuery([`rt=dev-${random()}`]));
    if (links.length !== 1) throw new Error(`expected 1 link, got ${links.length}`);
  });
  bench('endpoint lookup ?ep=node-<i> (ep index)', async () => {
    const links = await rd.lookupEndpoints(parseLookupQuery([`ep=node-${random()}`]));
    if (links.length !== 1) throw new Error(`expected 1 link, got ${links.length}`);
  });
  bench('resource lookup ?d=sector-3&rt=temperature&count=20 (d index, early stop)', async () => {
    const links = await rd.lookupResources(parseLookupQuery(['d=sector-3', 'rt=temperature', 'count=20']));
    if (links.length !== 20) throw new Error(`expected 20 links, got ${links.length}`);
  });
  bench('endpoint lookup ?et=type-2&page=50&count=10', async () => {
    const links = await rd.lookupEndpoints(parseLookupQuery(['et=type-2', 'page=50', 'count=10']));
    if (links.length !== 10) throw new Error(`expected 10 links, got ${links.length}`);
  });
  bench(
    'resource lookup ?title=device 7 (no index: full scan, for contrast)',
    async () => {
      await rd.lookupResources(parseLookupQuery(['title=device 7']));
    },
    { iterations: 5, time: 0 },
  );
});

// Over CoAP: one RD endpoint, one client, MemoryNetwork.
const network = new MemoryNetwork();
const rdT = network.transport('rd', { port: 5683 });
const clT = network.transport('client', { port: 40000 });
const rdEndpoint = new Endpoint({ transport: rdT, dedupCapacity: 1000 });
const client = new Endpoint({ transport: clT });
const iface = serveResourceDirectory(rd, rdEndpoint);
const rdPeer = clT.peerOf(rdT);
const body = '</s/temp>;rt="temperature";if="sensor",</s/light>;rt="light-lux";obs';

describe(`over CoAP (MemoryNetwork), ${N}+ registrations`, () => {
  bench('POST /rd?ep=... (register)', async () => {
    const res = await client.request({
      method: 'POST',
      peer: rdPeer,
      path: '/rd',
      query: [`ep=coap-${next++}`],
      payload: body,
    });
    if (res.code !== 0x41) throw new Error(res.codeText);
  });
  bench('GET /rd-lookup/res?rt=dev-<i>', async () => {
    const res = await client.request({
      method: 'GET',
      peer: rdPeer,
      path: '/rd-lookup/res',
      query: [`rt=dev-${random()}`],
    });
    if (res.code !== 0x45 || res.payload.length === 0) throw new Error(res.codeText);
  });
});

afterAll(async () => {
  iface.detach();
  rd.close();
  await client.close();
  await rdEndpoint.close();
});
