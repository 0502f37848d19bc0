import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimpleInstance } from '../src/index';
import { FakeServer, serverAccount, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('registration interface', () => {
  it('registers with ep, lt, lwm2m, b and the object links', async () => {
    const s = setup([{ id: 3303, instances: { 0: new SimpleInstance({ values: { 5700: 21.5 } }) } }]);
    await started(s);
    const [reg] = s.server.of('POST', '/rd');
    expect(reg?.query).toEqual(['ep=dev1', 'lt=300', 'lwm2m=1.1', 'b=U']);
    expect(reg?.contentFormat).toBe(ContentFormat.LINK_FORMAT);
    expect(reg?.payload).toBe(
      '</>;rt="oma.lwm2m";ct=112,</1>;ver=1.1,</1/0>,</3>;ver=1.2,</3/0>,</3303>;ver=1.1,</3303/0>',
    );
    expect(s.client.servers()).toEqual([
      { shortServerId: 1, uri: 'coap://server:5683', registered: true, location: '/rd/r1' },
    ]);
  });

  it('uses b=UQ for a LwM2M 1.0 client in queue mode and Q for 1.1', async () => {
    const s10 = setup([], { lwm2mVersion: '1.0', queueMode: true });
    await started(s10);
    const q10 = s10.server.of('POST', '/rd')[0]!;
    expect(q10.query).toEqual(['ep=dev1', 'lt=300', 'lwm2m=1.0', 'b=UQ']);
    expect(q10.payload).toBe('</1/0>,</3/0>');
    const s11 = setup([], { queueMode: true });
    await started(s11);
    expect(s11.server.of('POST', '/rd')[0]!.query).toEqual(['ep=dev1', 'lt=300', 'lwm2m=1.1', 'b=U', 'Q']);
  });

  it('updates before the lifetime runs out, without parameters or payload when nothing changed', async () => {
    const s = setup();
    await started(s);
    await vi.advanceTimersByTimeAsync(269_000);
    expect(s.server.of('POST', '/rd/r1')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    const [update] = s.server.of('POST', '/rd/r1');
    expect(update).toMatchObject({ query: [], payload: '' });
    await vi.advanceTimersByTimeAsync(270_000);
    expect(s.server.of('POST', '/rd/r1')).toHaveLength(2);
  });

  it('sends the new object links when an instance is added or removed', async () => {
    const s = setup([{ id: 3303, instances: {} }]);
    await started(s);
    const temperature = s.client.objects.get(3303)!;
    temperature.add(0, new SimpleInstance({ values: { 5700: 20 } }));
    temperature.add(1, new SimpleInstance({ values: { 5700: 21 } }));
    await settle();
    const updates = s.server.of('POST', '/rd/r1');
    expect(updates).toHaveLength(1); // both changes batched
    expect(updates[0]!.payload).toContain('</3303/0>,</3303/1>');
    temperature.remove(0);
    await settle();
    expect(s.server.of('POST', '/rd/r1')[1]!.payload).not.toContain('</3303/0>');
  });

  it('sends lt in an Update when a server writes the lifetime', async () => {
    const s = setup();
    await started(s);
    const res = await s.server.endpoint.request({
      method: 'PUT',
      peer: s.clientPeer,
      path: '/1/0/1',
      payload: '600',
      contentFormat: ContentFormat.TEXT_PLAIN,
    });
    expect(res.code).toBe(CoapCode.CHANGED);
    await settle();
    expect(s.server.of('POST', '/rd/r1')[0]).toMatchObject({ query: ['lt=600'] });
  });

  it('updates on address change and on Registration Update Trigger (/1/0/8)', async () => {
    const s = setup();
    await started(s);
    await s.client.addressChanged();
    expect(s.server.of('POST', '/rd/r1')).toHaveLength(1);
    const res = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/1/0/8' });
    expect(res.code).toBe(CoapCode.CHANGED);
    await settle();
    const updates = s.server.of('POST', '/rd/r1');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.payload).toContain('</3/0>');
  });

  it('de-registers on stop', async () => {
    const s = setup();
    await started(s);
    const stopping = s.client.stop();
    await settle();
    await stopping;
    expect(s.server.of('DELETE', '/rd/r1')).toHaveLength(1);
  });

  it('retries a refused Register with exponential back-off', async () => {
    const s = setup([], { server: { retryTimer: 10, retryCount: 3, sequenceRetryCount: 1 } });
    s.server.registerCode = CoapCode.FORBIDDEN;
    const retries: number[] = [];
    s.client.events.on('registrationRetry', (e) => retries.push(e.delayMs));
    let failed = false;
    s.client.events.on('registrationFailed', () => {
      failed = true;
    });
    const done = s.client.start();
    await settle();
    await done; // start() settles after the first attempt; retries go on in the background
    expect(s.server.of('POST', '/rd')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.server.of('POST', '/rd')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(s.server.of('POST', '/rd')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.server.of('POST', '/rd')).toHaveLength(3);
    expect(retries).toEqual([10_000, 20_000]);
    expect(failed).toBe(true);
  });

  it('registers again when an Update is answered 4.04', async () => {
    const s = setup();
    await started(s);
    s.server.updateCode = CoapCode.NOT_FOUND;
    await s.client.addressChanged();
    await settle();
    expect(s.server.of('POST', '/rd')).toHaveLength(3); // register, update, register
    expect(s.client.servers()[0]).toMatchObject({ registered: true, location: '/rd/r2' });
  });

  it('registers with each server of its own Server instance', async () => {
    const s = setup();
    const second = new FakeServer(s.network.transport('server2', { port: 5683 }), 'server2');
    const account = serverAccount(second, 2, { lifetime: 120, binding: 'U' });
    s.client.objects.get(0)!.add(1, account.security);
    s.client.objects.get(1)!.add(1, account.server);
    await started(s);
    expect(s.server.of('POST', '/rd')[0]!.query).toContain('lt=300');
    expect(second.of('POST', '/rd')[0]!.query).toContain('lt=120');
    expect(s.client.servers().map((x) => x.shortServerId)).toEqual([1, 2]);
  });
});

describe('Server object executables', () => {
  it('Disable (/1/0/4) de-registers and registers again after the Disable Timeout', async () => {
    const s = setup([], { server: { disableTimeout: 60 } });
    await started(s);
    const res = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/1/0/4' });
    expect(res.code).toBe(CoapCode.CHANGED);
    await settle();
    expect(s.server.of('DELETE', '/rd/r1')).toHaveLength(1);
    expect(s.client.servers()).toEqual([]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(s.server.of('POST', '/rd')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(s.server.of('POST', '/rd')).toHaveLength(2);
    expect(s.client.servers()[0]).toMatchObject({ registered: true, location: '/rd/r2' });
  });

  it('Bootstrap-Request Trigger (/1/0/9) starts a client-initiated bootstrap', async () => {
    const s = setup();
    const bs = new FakeServer(s.network.transport('bs', { port: 5683 }), 'bs');
    const { securityInstance } = await import('../src/index');
    s.client.objects.get(0)!.add(9, securityInstance({ uri: bs.uri, bootstrap: true }));
    await started(s);
    const res = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/1/0/9' });
    expect(res.code).toBe(CoapCode.CHANGED);
    await settle();
    expect(bs.of('POST', '/bs')[0]!.query).toEqual(['ep=dev1', 'pct=112']);
    expect(s.client.servers()).toEqual([]);
  });
});

describe('server account changes', () => {
  it('registers at the new URI when the Security instance of a server changes', async () => {
    const s = setup();
    await started(s);
    const moved = new FakeServer(s.network.transport('moved', { port: 5683 }), 'moved');
    const security = s.client.objects.get(0)!.instance(0) as import('../src/index').SimpleInstance;
    security.set(0, moved.uri);
    await settle();
    expect(moved.of('POST', '/rd')).toHaveLength(1);
    expect(s.client.servers()[0]).toMatchObject({ uri: 'coap://moved:5683', registered: true });
  });
});
