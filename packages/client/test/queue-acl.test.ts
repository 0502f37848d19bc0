import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AclRight, accessControlInstance, ipsoSensor, SimpleInstance } from '../src/index';
import { FakeServer, serverAccount, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('queue mode', () => {
  it('sleeps after the awake time, drops requests while asleep, wakes with an Update', async () => {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], { queueMode: { awakeTimeMs: 10_000 } });
    await started(s);
    const events: string[] = [];
    s.client.events.on('sleeping', () => events.push('sleeping'));
    s.client.events.on('awake', () => events.push('awake'));
    // Observe while awake.
    const texts: string[] = [];
    const obs = s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700' });
    void (async () => {
      for await (const n of obs) texts.push(n.text());
    })();
    await settle();
    expect(texts).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.client.sleeping).toBe(true);
    expect(events).toEqual(['sleeping']);

    // A request to a sleeping client goes unanswered.
    let answered = false;
    const read = s.server.endpoint
      .request({ method: 'GET', peer: s.clientPeer, path: '/3/0/0', timeoutMs: 5_000 })
      .then(() => {
        answered = true;
      })
      .catch((e: Error) => e);
    // A change while asleep is held back.
    sensor.update(21);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(answered).toBe(false);
    expect((await read) as Error).toBeInstanceOf(Error);
    expect(texts).toEqual(['20']);

    // Waking: Update first, then the held notification; requests are answered again.
    await s.client.wakeAndUpdate();
    await settle();
    expect(events).toEqual(['sleeping', 'awake']);
    expect(s.server.of('POST', '/rd/r1')).toHaveLength(1);
    expect(texts).toEqual(['20', '21']);
    const now = await s.server.endpoint.request({ method: 'GET', peer: s.clientPeer, path: '/3/0/0' });
    expect(now.text()).toBe('Open Mobile Alliance');
    // Activity restarted the awake timer.
    await vi.advanceTimersByTimeAsync(9_000);
    expect(s.client.sleeping).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.client.sleeping).toBe(true);
  });

  it('drops notifications that came due while asleep when Notification Storing (/1/x/6) is false', async () => {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      queueMode: { awakeTimeMs: 10_000 },
      server: { storeNotifications: false },
    });
    await started(s);
    const texts: string[] = [];
    const obs = s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700' });
    void (async () => {
      for await (const n of obs) texts.push(n.text());
    })();
    await settle();
    await vi.advanceTimersByTimeAsync(10_000);
    sensor.update(21);
    await settle();
    await s.client.wakeAndUpdate();
    await settle();
    expect(texts).toEqual(['20']);
    sensor.update(22); // awake again: notified
    await settle();
    expect(texts).toEqual(['20', '22']);
  });

  it('wakes for the periodic Update before the lifetime ends', async () => {
    const s = setup([], { queueMode: { awakeTimeMs: 5_000 }, server: { lifetime: 100 } });
    await started(s);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.client.sleeping).toBe(true);
    await vi.advanceTimersByTimeAsync(85_000);
    expect(s.client.sleeping).toBe(false);
    expect(s.server.of('POST', '/rd/r1')).toHaveLength(1);
  });
});

describe('Access Control (object 2) with two servers', () => {
  async function twoServers() {
    const lamp = new SimpleInstance({ values: { 5850: false } });
    const s = setup([
      { id: 3311, instances: { 0: lamp } },
      {
        id: 2,
        instances: {
          // Server 1 may read and write /3311/0, server 2 only read (default entry 0).
          0: accessControlInstance({
            objectId: 3311,
            instanceId: 0,
            rights: { 1: AclRight.READ | AclRight.WRITE, 0: AclRight.READ },
            owner: 1,
          }),
          // Only server 2 may create 3311 instances.
          1: accessControlInstance({ objectId: 3311, instanceId: 65535, rights: { 2: AclRight.CREATE }, owner: 2 }),
          2: accessControlInstance({ objectId: 3, instanceId: 0, rights: { 0: AclRight.READ }, owner: 1 }),
          3: accessControlInstance({ objectId: 1, instanceId: 0, rights: {}, owner: 1 }),
          4: accessControlInstance({ objectId: 1, instanceId: 1, rights: {}, owner: 2 }),
        },
      },
    ]);
    const second = new FakeServer(s.network.transport('server2', { port: 5683 }), 'server2');
    const account = serverAccount(second, 2);
    s.client.objects.get(0)!.add(1, account.security);
    s.client.objects.get(1)!.add(1, account.server);
    await started(s);
    const peer2 = second.transport.peerOf(s.clientTransport);
    const as1 = (method: string, path: string, extra: Record<string, unknown> = {}) =>
      s.server.endpoint.request({ method: method as 'GET', peer: s.clientPeer, path, ...extra });
    const as2 = (method: string, path: string, extra: Record<string, unknown> = {}) =>
      second.endpoint.request({ method: method as 'GET', peer: peer2, path, ...extra });
    return { s, lamp, as1, as2 };
  }

  it('allows and refuses (4.01) per the ACL of each server', async () => {
    const { lamp, as1, as2 } = await twoServers();
    expect((await as1('PUT', '/3311/0/5850', { payload: '1', contentFormat: 0 })).code).toBe(CoapCode.CHANGED);
    expect((await as2('GET', '/3311/0/5850')).text()).toBe('1');
    expect((await as2('PUT', '/3311/0/5850', { payload: '0', contentFormat: 0 })).code).toBe(CoapCode.UNAUTHORIZED);
    expect(lamp.value(5850)).toBe(true);
    // No execute right for anyone on /3/0; owner 1 has all rights on /1/0 but not on /1/1.
    expect((await as2('POST', '/3/0/4')).code).toBe(CoapCode.UNAUTHORIZED);
    expect((await as1('GET', '/1/0/1')).code).toBe(CoapCode.CONTENT);
    expect((await as1('GET', '/1/1/1')).code).toBe(CoapCode.UNAUTHORIZED);
    expect((await as2('GET', '/1/1/1')).code).toBe(CoapCode.CONTENT);
  });

  it('object-level Read needs read rights on every instance; composite reads are checked per path', async () => {
    const { s, as1, as2 } = await twoServers();
    s.client.objects.get(3311)!.add(1, new SimpleInstance({ values: { 5850: true } }));
    expect((await as1('GET', '/3311')).code).toBe(CoapCode.UNAUTHORIZED); // no ACL for /3311/1
    const body = new TextEncoder().encode('[{"n":"/3311/0/5850"},{"n":"/1/1/1"}]');
    const fetch = (as: typeof as1) => as('FETCH', '/', { payload: body, contentFormat: ContentFormat.SENML_JSON });
    expect((await fetch(as1)).code).toBe(CoapCode.UNAUTHORIZED);
    expect((await fetch(as2)).code).toBe(CoapCode.CONTENT);
  });

  it('Create needs the create right; the creator becomes the owner of the new instance', async () => {
    const { s, as1, as2 } = await twoServers();
    const body = new TextEncoder().encode('[{"bn":"/3311/1/","n":"5850","vb":true}]');
    expect((await as1('POST', '/3311', { payload: body, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.UNAUTHORIZED,
    );
    expect((await as2('POST', '/3311', { payload: body, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.CREATED,
    );
    expect((await as2('PUT', '/3311/1/5850', { payload: '0', contentFormat: 0 })).code).toBe(CoapCode.CHANGED);
    expect((await as1('GET', '/3311/1/5850')).code).toBe(CoapCode.UNAUTHORIZED);
    const acl = s.client.objects.get(2)!;
    expect(acl.instanceIds()).toEqual([0, 1, 2, 3, 4, 5]);
    // Only the owner may change an ACL instance; deleting the instance removes its ACL.
    expect((await as1('PUT', '/2/5/2/1', { payload: '1', contentFormat: 0 })).code).toBe(CoapCode.UNAUTHORIZED);
    expect((await as2('PUT', '/2/5/2/1', { payload: '1', contentFormat: 0 })).code).toBe(CoapCode.CHANGED);
    expect((await as1('GET', '/3311/1/5850')).code).toBe(CoapCode.CONTENT);
    expect((await as2('DELETE', '/3311/1')).code).toBe(CoapCode.DELETED);
    expect(acl.instanceIds()).toEqual([0, 1, 2, 3, 4]);
  });
});
