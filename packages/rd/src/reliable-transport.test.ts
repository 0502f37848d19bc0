import { Endpoint } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serveResourceDirectory } from './coap-interface';
import { RdClient } from './rd-client';
import { ResourceDirectory } from './resource-directory';

describe('RD over a reliable transport (CoAP over TCP, RFC 8323)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('registers, looks up and removes; the implicit base carries the coap+tcp scheme', async () => {
    const network = new MemoryNetwork();
    const rdT = network.transport('rd', { kind: 'stream', port: 5683 });
    const devT = network.transport('dev', { kind: 'stream', port: 41000 });
    const rdEndpoint = new Endpoint({ transport: rdT });
    const dev = new Endpoint({ transport: devT });
    const rd = new ResourceDirectory();
    const iface = serveResourceDirectory(rd, rdEndpoint);
    const client = new RdClient({ endpoint: dev, rd: { peer: devT.peerOf(rdT) } });
    const reg = await client.register('</t>;rt="temperature"', { ep: 'tcp-dev', lt: 60 });
    const found = await client.lookupResources({ rt: 'temperature' });
    expect(found.map((l) => l.href)).toEqual(['coap+tcp://dev:41000/t']);
    await vi.advanceTimersByTimeAsync(120_000); // refreshed over the connection
    expect(await rd.store.size()).toBe(1);
    await reg.remove();
    expect(await rd.store.size()).toBe(0);
    iface.detach();
    rd.close();
    await dev.close();
    await rdEndpoint.close();
  });
});
