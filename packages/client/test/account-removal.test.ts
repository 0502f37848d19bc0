/**
 * What happens to a server's notification attributes, observations and stored notifications
 * when its account is removed (Bootstrap-Delete, re-bootstrap, DM Delete, the device) and when
 * it only de-registers: removed accounts take everything with them, so a new account that
 * reuses the Short Server ID starts clean; a de-registered account keeps its attributes.
 */
import type { CoapResponse, Peer } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor, LwM2mClient, securityInstance, serverInstance } from '../src/index';
import { FakeServer, settle, setup, started, startTwoServerClient } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const json = (text: string) => new TextEncoder().encode(text);
const SENSOR = '/3303/0/5700';

/** Records [ms since `t0`, text] for the registration answer and every notification. */
function observeFrom(server: FakeServer, peer: Peer, path = SENSOR) {
  const t0 = Date.now();
  const got: [number, string][] = [];
  const obs = server.endpoint.observe({ peer, path });
  void (async () => {
    for await (const n of obs as AsyncIterable<CoapResponse>) got.push([Date.now() - t0, n.text()]);
  })();
  return got;
}

async function writeAttributes(server: FakeServer, peer: Peer, path: string, query: string) {
  const res = await server.endpoint.request({ method: 'PUT', peer, path, query: [query] });
  expect(res.code, res.text()).toBe(CoapCode.CHANGED);
}

/** A client bootstrapped earlier: bootstrap account /0/0, server 101 on /0/1 + /1/0, a sensor. */
async function bootstrappedClient() {
  const network = new MemoryNetwork();
  const bs = new FakeServer(network.transport('bs', { port: 5683 }), 'bs');
  const dm = new FakeServer(network.transport('server', { port: 5683 }), 'server');
  const clientTransport = network.transport('dev', { port: 40001 });
  const sensor = ipsoSensor({ value: 20 });
  const client = new LwM2mClient({
    endpointName: 'dev1',
    transport: clientTransport,
    bootstrapTimeoutMs: 60_000,
    objects: [
      {
        id: 0,
        instances: {
          0: securityInstance({ uri: bs.uri, bootstrap: true }),
          1: securityInstance({ uri: dm.uri, shortServerId: 101 }),
        },
      },
      { id: 1, instances: { 0: serverInstance({ shortServerId: 101, lifetime: 300 }) } },
      { id: 3303, instances: { 0: sensor } },
    ],
  });
  const starting = client.start();
  await settle();
  await starting;
  expect(client.servers()).toMatchObject([{ shortServerId: 101, registered: true }]);
  const bsPeer = bs.transport.peerOf(clientTransport);
  const dmPeer = dm.transport.peerOf(clientTransport);
  const toClient = (method: 'PUT' | 'DELETE' | 'POST', path: string, payload?: string) =>
    bs.endpoint.request({
      method,
      peer: bsPeer,
      path,
      ...(payload === undefined ? {} : { contentFormat: ContentFormat.SENML_JSON, payload: json(payload) }),
    });
  /** Bootstrap-Write of an account for Short Server ID 101 at /0/`sec` and /1/`srv`. */
  const writeAccount = async (sec: number, srv: number) => {
    const a = await toClient(
      'PUT',
      `/0/${sec}`,
      `[{"bn":"/0/${sec}/","n":"0","vs":"${dm.uri}"},{"n":"1","vb":false},{"n":"2","v":3},{"n":"10","v":101}]`,
    );
    expect(a.code, a.text()).toBe(CoapCode.CHANGED);
    const b = await toClient(
      'PUT',
      `/1/${srv}`,
      `[{"bn":"/1/${srv}/","n":"0","v":101},{"n":"1","v":300},{"n":"6","vb":true},{"n":"7","vs":"U"}]`,
    );
    expect(b.code, b.text()).toBe(CoapCode.CHANGED);
  };
  /** Bootstrap-Finish, then waits for the new Register. */
  const finish = async () => {
    const registers = () => dm.received.filter((r) => r.method === 'POST' && r.path === '/rd').length;
    const before = registers();
    expect((await toClient('POST', '/bs')).code).toBe(CoapCode.CHANGED);
    await settle(10);
    expect(registers(), JSON.stringify(dm.received.map((r) => `${r.method} ${r.path}`))).toBe(before + 1);
    expect(client.servers()).toMatchObject([{ shortServerId: 101, registered: true }]);
  };
  return { client, sensor, dm, dmPeer, toClient, writeAccount, finish };
}

describe('a removed server account takes its attributes and observations with it', () => {
  it.each([
    ['Bootstrap-Delete of /1/0 and /0/1, the account written again on the same instances', ['/1/0', '/0/1'], 1, 0],
    ['Bootstrap-Delete of /1 and /0 (a re-bootstrap), the account written on other instances', ['/1', '/0'], 4, 2],
  ])('%s: the new server 101 observes without the old pmin', async (_name, deletes, sec, srv) => {
    const b = await bootstrappedClient();
    await writeAttributes(b.dm, b.dmPeer, SENSOR, 'pmin=10');
    const before = observeFrom(b.dm, b.dmPeer);
    await settle();
    expect(before).toEqual([[0, '20']]);

    for (const path of deletes) expect((await b.toClient('DELETE', path)).code).toBe(CoapCode.DELETED);
    await b.writeAccount(sec, srv);
    await b.finish();
    expect(b.client.observationsList()).toEqual([]);
    expect(b.client.endpoint.observerCount()).toBe(0); // the engine dropped the relation too

    const got = observeFrom(b.dm, b.dmPeer);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    b.sensor.update(21);
    await settle();
    // The old account's pmin=10 would hold this back until t = 10 s.
    expect(got).toEqual([
      [0, '20'],
      [1_000, '21'],
    ]);
    expect(before).toEqual([[0, '20']]); // the old observation ended with its account
  });

  it('a re-bootstrap that keeps the account (writes its lifetime only) keeps its attributes', async () => {
    const b = await bootstrappedClient();
    await writeAttributes(b.dm, b.dmPeer, SENSOR, 'pmin=10');
    const res = await b.toClient('PUT', '/1/0', '[{"bn":"/1/0/","n":"1","v":600}]');
    expect(res.code, res.text()).toBe(CoapCode.CHANGED);
    await b.finish();

    const got = observeFrom(b.dm, b.dmPeer);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    b.sensor.update(21);
    await settle();
    expect(got).toEqual([[0, '20']]);
    await vi.advanceTimersByTimeAsync(9_000);
    await settle();
    expect(got).toEqual([
      [0, '20'],
      [10_000, '21'],
    ]);
  });

  it('a Short Server ID rewritten by the bootstrap server is a new account: the old one’s state goes', async () => {
    const b = await bootstrappedClient();
    await writeAttributes(b.dm, b.dmPeer, SENSOR, 'pmin=10');
    // 101 -> 102 on both instances, then back to 101: the 101 that comes back is a new account.
    for (const ssid of [102, 101]) {
      expect((await b.toClient('PUT', '/0/1', `[{"bn":"/0/1/","n":"10","v":${ssid}}]`)).code).toBe(CoapCode.CHANGED);
      expect((await b.toClient('PUT', '/1/0', `[{"bn":"/1/0/","n":"0","v":${ssid}}]`)).code).toBe(CoapCode.CHANGED);
      await settle();
    }
    await b.finish();
    const got = observeFrom(b.dm, b.dmPeer);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    b.sensor.update(21);
    await settle();
    expect(got).toEqual([
      [0, '20'],
      [1_000, '21'],
    ]);
  });

  it('DM Delete of another server’s /1 instance ends that server’s observations and drops its attributes', async () => {
    const sensor = ipsoSensor({ value: 20 });
    const { a, b, client, peerA, peerB } = await startTwoServerClient({
      objects: [{ id: 3303, instances: { 0: sensor } }],
    });
    await writeAttributes(b, peerB, SENSOR, 'pmax=30');
    const fromA = observeFrom(a, peerA);
    const fromB = observeFrom(b, peerB);
    await settle();
    expect(client.observationsList().map((o) => o.server)).toEqual(['ssid:1', 'ssid:2']);

    expect((await a.endpoint.request({ method: 'DELETE', peer: peerA, path: '/1/1' })).code).toBe(CoapCode.DELETED);
    expect(client.observationsList().map((o) => o.server)).toEqual(['ssid:1']);
    sensor.update(21);
    await vi.advanceTimersByTimeAsync(60_000); // no pmax notification for B either
    expect(fromA).toEqual([
      [0, '20'],
      [0, '21'],
    ]);
    expect(fromB).toEqual([[0, '20']]);

    // A new account for Short Server ID 2 (added by the device) does not inherit pmax=30.
    client.objects.get(1)!.add(1, serverInstance({ shortServerId: 2, lifetime: 300 }));
    await settle();
    const discover = await b.endpoint.request({
      method: 'GET',
      peer: peerB,
      path: SENSOR,
      accept: ContentFormat.LINK_FORMAT,
    });
    expect(discover.code).toBe(CoapCode.CONTENT);
    expect(discover.text()).not.toContain('pmax');
  });

  it('the device removing an account while asleep drops the notifications stored for it (hqmax)', async () => {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      lwm2mVersion: '1.2',
      queueMode: { awakeTimeMs: 10_000 },
      server: { storeNotifications: true },
    });
    await started(s);
    const got = observeFrom(s.server, s.clientPeer);
    await settle();
    await writeAttributes(s.server, s.clientPeer, SENSOR, 'hqmax=3');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.client.sleeping).toBe(true);
    for (const v of [21, 22, 23]) {
      await vi.advanceTimersByTimeAsync(1_000);
      sensor.update(v);
      await settle();
    }
    expect(got).toHaveLength(1); // stored, not sent

    // The device replaces account 1 with a new one of the same Short Server ID.
    const servers = s.client.objects.get(1)!;
    servers.remove(0);
    servers.add(0, serverInstance({ shortServerId: 1, lifetime: 300 }));
    expect(s.client.observationsList()).toEqual([]);
    await s.client.wakeAndUpdate();
    await settle(10);
    expect(got).toHaveLength(1); // the stored notifications went with the old account
  });
});

describe('de-registration keeps the account’s attributes', () => {
  it('Disable (de-register, register again after the Disable Timeout): observations end, pmin stays', async () => {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], { server: { disableTimeout: 5 } });
    await started(s);
    await writeAttributes(s.server, s.clientPeer, SENSOR, 'pmin=10');
    observeFrom(s.server, s.clientPeer);
    await settle();
    expect(s.client.observationsList()).toHaveLength(1);

    const disabled = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/1/0/4' });
    expect(disabled.code).toBe(CoapCode.CHANGED);
    await settle();
    expect(s.server.of('DELETE', '/rd')).toHaveLength(1);
    expect(s.client.observationsList()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(s.server.of('POST', '/rd')).toHaveLength(2);

    const got = observeFrom(s.server, s.clientPeer);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    sensor.update(21);
    await settle();
    expect(got).toEqual([[0, '20']]);
    await vi.advanceTimersByTimeAsync(9_000);
    await settle();
    expect(got).toEqual([
      [0, '20'],
      [10_000, '21'],
    ]);
  });
});
