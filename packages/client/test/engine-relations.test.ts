/**
 * When the client drops observations on its own (de-registration, Disable, an account removed,
 * a server-initiated bootstrap), the CoAP engine drops the relations too
 * (`endpoint.endObservation`): they no longer count against `observe.maxObservers`, so the
 * server can observe again as many paths as the cap allows.
 */
import type { CoapResponse, Peer } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { CoapCode } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor, LwM2mClient } from '../src/index';
import { FakeServer, serverAccount, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const CAP = 3;
const PATHS = ['/3303/0/5700', '/3/0/0', '/3/0/1'];

/** Observes `path` from `server`; the returned array gets the registration answer and notifications. */
function observe(server: FakeServer, peer: Peer, path: string): CoapResponse[] {
  const got: CoapResponse[] = [];
  const obs = server.endpoint.observe({ peer, path });
  void (async () => {
    for await (const n of obs as AsyncIterable<CoapResponse>) got.push(n);
  })().catch(() => {});
  return got;
}

/** Whether each registration was kept by the client's engine (its answer carries Observe). */
const kept = (answers: CoapResponse[][]) =>
  answers.map((a) => a[0]?.code === CoapCode.CONTENT && a[0].observe !== undefined);

describe('observations the client drops leave no relation in its CoAP engine', () => {
  it(`Disable (de-registration): the engine holds none, and ${CAP} new observations fit under a cap of ${CAP}`, async () => {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      server: { disableTimeout: 5 },
      endpoint: { observe: { maxObservers: CAP } },
    });
    await started(s);
    const first = PATHS.map((p) => observe(s.server, s.clientPeer, p));
    await settle();
    expect(kept(first)).toEqual([true, true, true]);
    expect(s.client.endpoint.observerCount()).toBe(CAP);
    const relations = s.client.endpoint.observers();

    const disabled = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/1/0/4' });
    expect(disabled.code).toBe(CoapCode.CHANGED);
    await settle();
    expect(s.server.of('DELETE', '/rd')).toHaveLength(1);
    expect(s.client.observationsList()).toEqual([]);
    expect(s.client.endpoint.observerCount()).toBe(0);
    for (const r of relations) expect(s.client.endpoint.hasObserver(r.peer, r.token)).toBe(false);

    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(s.server.of('POST', '/rd')).toHaveLength(2);
    const again = PATHS.map((p) => observe(s.server, s.clientPeer, p));
    await settle();
    expect(kept(again)).toEqual([true, true, true]);
    expect(s.client.endpoint.observerCount()).toBe(CAP);
    expect(s.client.observationsList()).toHaveLength(CAP);

    // The new relations are notified; the old ones are not (nothing arrives on their tokens).
    await vi.advanceTimersByTimeAsync(1_000);
    sensor.update(21);
    await settle();
    expect(again[0]!.map((r) => r.text())).toEqual(['20', '21']);
    expect(first[0]!.map((r) => r.text())).toEqual(['20']);
    await s.client.stop({ deregister: false });
  });

  it('an account removed by a DM Delete: its relations leave the shared engine, the slot is free again', async () => {
    const network = new MemoryNetwork();
    const a = new FakeServer(network.transport('server-a', { port: 5683 }), 'server-a');
    const b = new FakeServer(network.transport('server-b', { port: 5683 }), 'server-b');
    const clientTransport = network.transport('dev', { port: 40001 });
    const accA = serverAccount(a, 1);
    const accB = serverAccount(b, 2);
    const client = new LwM2mClient({
      endpointName: 'two-servers',
      transport: clientTransport,
      endpoint: { observe: { maxObservers: 2 } },
      objects: [
        { id: 0, instances: { 0: accA.security, 1: accB.security } },
        { id: 1, instances: { 0: accA.server, 1: accB.server } },
        { id: 3303, instances: { 0: ipsoSensor({ value: 20 }) } },
      ],
    });
    const starting = client.start();
    await settle();
    await starting;
    const peerA = a.transport.peerOf(clientTransport);
    const peerB = b.transport.peerOf(clientTransport);
    const fromA = observe(a, peerA, PATHS[0]!);
    const fromB = observe(b, peerB, PATHS[0]!);
    await settle();
    expect(kept([fromA, fromB])).toEqual([true, true]);
    const bOnClient = clientTransport.peerOf(b.transport);
    expect(client.endpoint.observers().filter((o) => o.peer.key === bOnClient.key)).toHaveLength(1);

    expect((await a.endpoint.request({ method: 'DELETE', peer: peerA, path: '/1/1' })).code).toBe(CoapCode.DELETED);
    await settle();
    expect(client.endpoint.observers().map((o) => o.peer.key)).toEqual([clientTransport.peerOf(a.transport).key]);
    // B's slot went with its account: A's second observation is kept (before: refused, cap full).
    const second = observe(a, peerA, '/3303/0');
    await settle();
    expect(kept([second])).toEqual([true]);
    expect(client.endpoint.observerCount()).toBe(2);
    await client.stop({ deregister: false });
  });

  it('the device replacing an account (same Short Server ID) ends its relations in the engine', async () => {
    const s = setup([{ id: 3303, instances: { 0: ipsoSensor({ value: 20 }) } }], {
      endpoint: { observe: { maxObservers: 1 } },
    });
    await started(s);
    observe(s.server, s.clientPeer, PATHS[0]!);
    await settle();
    expect(s.client.endpoint.observerCount()).toBe(1);
    const servers = s.client.objects.get(1)!;
    const replacement = serverAccount(s.server, 1).server;
    servers.remove(0);
    servers.add(0, replacement);
    expect(s.client.observationsList()).toEqual([]);
    expect(s.client.endpoint.observerCount()).toBe(0);
    await s.client.stop({ deregister: false });
  });

  it('a target deleted while online still gets its 4.04 notification (the engine ends that relation)', async () => {
    const s = setup([{ id: 3303, instances: { 0: ipsoSensor({ value: 20 }) } }]);
    await started(s);
    const got = observe(s.server, s.clientPeer, '/3303/0/5700');
    await settle();
    expect(s.client.endpoint.observerCount()).toBe(1);
    s.client.objects.get(3303)!.remove(0);
    await settle();
    expect(got.map((r) => r.code)).toEqual([CoapCode.CONTENT, CoapCode.NOT_FOUND]);
    expect(s.client.endpoint.observerCount()).toBe(0);
    expect(s.client.observationsList()).toEqual([]);
    await s.client.stop({ deregister: false });
  });
});
