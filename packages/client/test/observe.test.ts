import type { CoapResponse } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor } from '../src/index';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Observes `path` from the fake server; `texts` fills with the registration answer and each notification. */
function observe(s: Setup, path: string, accept?: number) {
  const texts: string[] = [];
  const responses: CoapResponse[] = [];
  const obs = s.server.endpoint.observe({ peer: s.clientPeer, path, ...(accept !== undefined ? { accept } : {}) });
  void (async () => {
    for await (const n of obs) {
      responses.push(n);
      texts.push(n.text());
    }
  })();
  return { obs, texts, responses };
}

const writeAttributes = (s: Setup, path: string, query: string) =>
  s.server.endpoint.request({ method: 'PUT', peer: s.clientPeer, path, query });

async function sensorSetup(value = 25, serverOptions = {}) {
  const sensor = ipsoSensor({ value, units: 'Cel' });
  const s = setup([{ id: 3303, instances: { 0: sensor } }], { server: serverOptions });
  await started(s);
  return { s, sensor };
}

describe('Observe', () => {
  it('seed example: GET /3303/0/5700 Observe answers 25, then notifies 26', async () => {
    const { s, sensor } = await sensorSetup(25);
    const o = observe(s, '/3303/0/5700');
    await settle();
    expect(o.texts).toEqual(['25']);
    expect(o.responses[0]!.code).toBe(CoapCode.CONTENT);
    expect(o.responses[0]!.observe).toBeTypeOf('number');
    sensor.update(26);
    await settle();
    expect(o.texts).toEqual(['25', '26']);
    expect(s.client.observationsList()).toEqual([{ server: 'ssid:1', coapPath: '/3303/0/5700' }]);
  });

  it('observes an instance: a change of any resource notifies the whole instance', async () => {
    const { s, sensor } = await sensorSetup(20);
    const o = observe(s, '/3303/0', ContentFormat.SENML_JSON);
    await settle();
    sensor.update(30);
    await settle();
    expect(o.texts).toHaveLength(2);
    expect(o.texts[1]).toContain('"n":"5700","v":30');
    expect(o.texts[1]).toContain('"n":"5602","v":30');
  });

  it('observes a resource instance and the whole object', async () => {
    const { s, sensor } = await sensorSetup(20);
    const device = s.client.objects.get(3)!.instance(0) as import('../src/index').DeviceInstance;
    const ri = observe(s, '/3/0/11/0');
    const obj = observe(s, '/3303', ContentFormat.SENML_JSON);
    await settle();
    expect(ri.texts).toEqual(['0']);
    device.raiseError(5);
    sensor.update(21);
    await settle();
    expect(ri.texts).toEqual(['0', '5']); // /3/0/11/0 now holds the raised error code
    expect(obj.texts).toHaveLength(2);
  });

  it('cancels with GET Observe=1 and stops notifying', async () => {
    const { s, sensor } = await sensorSetup(20);
    const o = observe(s, '/3303/0/5700');
    await settle();
    const cancelling = o.obs.cancel();
    await settle();
    await cancelling;
    expect(s.client.observationsList()).toEqual([]);
    sensor.update(22);
    await settle();
    expect(o.texts).toEqual(['20']);
  });

  it('ends the observation with 4.04 when the instance is deleted', async () => {
    const { s } = await sensorSetup(20);
    const o = observe(s, '/3303/0/5700');
    await settle();
    s.client.objects.get(3303)!.remove(0);
    await settle();
    expect(o.responses.at(-1)!.code).toBe(CoapCode.NOT_FOUND);
  });
});

describe('notification attributes', () => {
  it('pmin holds changes back and sends the latest value when it ends', async () => {
    const { s, sensor } = await sensorSetup(20);
    expect((await writeAttributes(s, '/3303/0/5700', 'pmin=10')).code).toBe(CoapCode.CHANGED);
    const o = observe(s, '/3303/0/5700');
    await settle();
    sensor.update(21);
    sensor.update(22);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(o.texts).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(1);
    expect(o.texts).toEqual(['20', '22']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(o.texts).toEqual(['20', '22']); // no change, no pmax: nothing more
  });

  it('pmax notifies without a change, and restarts after every notification', async () => {
    const { s, sensor } = await sensorSetup(20);
    await writeAttributes(s, '/3303/0/5700', 'pmax=30');
    const o = observe(s, '/3303/0/5700');
    await settle();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(o.texts).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(1);
    expect(o.texts).toEqual(['20', '20']);
    await vi.advanceTimersByTimeAsync(10_000);
    sensor.update(23); // resets the pmax period
    await settle();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(o.texts).toEqual(['20', '20', '23']);
    await vi.advanceTimersByTimeAsync(1);
    expect(o.texts).toEqual(['20', '20', '23', '23']);
  });

  it('gt and lt notify only on crossings; st only on steps from the last notified value', async () => {
    const { s, sensor } = await sensorSetup(20);
    expect((await writeAttributes(s, '/3303/0/5700', 'gt=25&lt=10')).code).toBe(CoapCode.CHANGED);
    const o = observe(s, '/3303/0/5700');
    await settle();
    for (const v of [22, 24, 26, 28, 24, 12, 9, 11]) {
      sensor.update(v);
      await settle();
    }
    expect(o.texts).toEqual(['20', '26', '24', '9', '11']);

    const t = await sensorSetup(20);
    await writeAttributes(t.s, '/3303/0/5700', 'st=5');
    const p = observe(t.s, '/3303/0/5700');
    await settle();
    for (const v of [22, 24, 25, 27, 29, 31, 26]) {
      t.sensor.update(v);
      await settle();
    }
    expect(p.texts).toEqual(['20', '25', '31', '26']);
  });

  it('inherits from instance and object, the resource level wins; the server default pmin applies', async () => {
    const { s, sensor } = await sensorSetup(20, { defaultPmin: 5 });
    await writeAttributes(s, '/3303', 'pmax=100');
    await writeAttributes(s, '/3303/0', 'pmax=50');
    const o = observe(s, '/3303/0/5700');
    await settle();
    sensor.update(21); // default pmin 5 s from object 1
    await vi.advanceTimersByTimeAsync(4_999);
    expect(o.texts).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(1);
    expect(o.texts).toEqual(['20', '21']);
    await vi.advanceTimersByTimeAsync(50_000); // instance pmax=50 beats the object's 100
    expect(o.texts).toEqual(['20', '21', '21']);
    await writeAttributes(s, '/3303/0/5700', 'pmax=20');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(o.texts).toHaveLength(4);
    // Clearing the resource level falls back to the instance's 50 s.
    await writeAttributes(s, '/3303/0/5700', 'pmax');
    await vi.advanceTimersByTimeAsync(49_000);
    expect(o.texts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(o.texts).toHaveLength(5);
  });

  it('epmin defers evaluation and epmax evaluates without a reported change', async () => {
    const deferred = await sensorSetup(20);
    await writeAttributes(deferred.s, '/3303/0/5700', 'epmin=5');
    const d = observe(deferred.s, '/3303/0/5700');
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    deferred.sensor.update(21);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(d.texts).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.texts).toEqual(['20', '21']);

    const { s, sensor } = await sensorSetup(20);
    await writeAttributes(s, '/3303/0/5700', 'st=1&epmax=10');
    const o = observe(s, '/3303/0/5700');
    await settle();
    // A value that changes without valueChanged(): only epmax sees it.
    (sensor as unknown as { store(id: number, v: number): void }).store(5700, 30);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(o.texts).toEqual(['20', '30']);
  });

  it('edge (1.2) notifies only the chosen boolean transition; con=1 makes notifications confirmable', async () => {
    const { SimpleInstance } = await import('../src/index');
    const input = new SimpleInstance({ values: { 5500: false } });
    const s = setup([{ id: 3200, instances: { 0: input } }], { lwm2mVersion: '1.2' });
    await started(s);
    expect((await writeAttributes(s, '/3200/0/5500', 'edge=1&con=1')).code).toBe(CoapCode.CHANGED);
    const o = observe(s, '/3200/0/5500');
    await settle();
    for (const v of [true, false, true]) {
      input.set(5500, v);
      await settle();
    }
    expect(o.texts).toEqual(['0', '1', '1']);
    expect(o.responses.slice(1).every((r) => r.message.type === 0)).toBe(true); // CON
  });

  it('refuses bad Write-Attributes with 4.00 and keeps the old attributes', async () => {
    const { s } = await sensorSetup(20);
    const bad = [
      ['/3303/0/5700', 'pmin=abc'],
      ['/3303/0/5700', 'foo=1'],
      ['/3303/0/5700', 'pmin=10&pmax=5'],
      ['/3303/0/5700', 'gt=10&lt=20'],
      ['/3303/0/5700', 'lt=10&gt=20&st=5'],
      ['/3303/0', 'gt=10'],
      ['/3303/0/5701', 'st=1'],
      ['/3303/0/5700', 'edge=1'], // 1.2 only, and 5700 is not boolean
      ['/3303/0/5700', 'pmin=-1'],
    ];
    for (const [path, query] of bad)
      expect((await writeAttributes(s, path!, query!)).code, query).toBe(CoapCode.BAD_REQUEST);
    expect((await writeAttributes(s, '/3303/9', 'pmin=1')).code).toBe(CoapCode.NOT_FOUND);
    const d = await s.server.endpoint.request({
      method: 'GET',
      peer: s.clientPeer,
      path: '/3303/0/5700',
      accept: ContentFormat.LINK_FORMAT,
    });
    expect(d.text()).toBe('</3303/0/5700>');
  });
});

describe('Discover', () => {
  it('lists instances and resources with attributes, dim and ver', async () => {
    const { s } = await sensorSetup(20);
    await writeAttributes(s, '/3303/0', 'pmin=10');
    await writeAttributes(s, '/3303/0/5700', 'gt=50&pmax=60');
    const get = (path: string, query?: string) =>
      s.server.endpoint.request({
        method: 'GET',
        peer: s.clientPeer,
        path,
        accept: ContentFormat.LINK_FORMAT,
        ...(query ? { query } : {}),
      });
    expect((await get('/3303')).text()).toBe(
      '</3303>;ver=1.1,</3303/0>;pmin=10,</3303/0/5601>,</3303/0/5602>,</3303/0/5605>,</3303/0/5700>;pmax=60;gt=50,</3303/0/5701>',
    );
    expect((await get('/3303/0/5700')).text()).toBe('</3303/0/5700>;pmin=10;pmax=60;gt=50');
    expect((await get('/3/0/11')).text()).toBe('</3/0/11>;dim=1');
    expect((await get('/3/0', 'depth=1')).code).toBe(CoapCode.BAD_REQUEST); // depth is 1.2
    expect((await get('/3/7')).code).toBe(CoapCode.NOT_FOUND);
  });

  it('1.2 depth', async () => {
    const s = setup([{ id: 3303, instances: { 0: ipsoSensor({ value: 1 }) } }], { lwm2mVersion: '1.2' });
    await started(s);
    const get = (path: string, query?: string) =>
      s.server.endpoint.request({
        method: 'GET',
        peer: s.clientPeer,
        path,
        accept: ContentFormat.LINK_FORMAT,
        ...(query ? { query } : {}),
      });
    expect((await get('/3303', 'depth=1')).text()).toBe('</3303>;ver=1.1,</3303/0>');
    expect((await get('/3303', 'depth=0')).text()).toBe('</3303>;ver=1.1');
    expect((await get('/3/0/11')).text()).toBe('</3/0/11>;dim=1,</3/0/11/0>');
  });
});

describe('a hand-written InstanceEnabler', () => {
  it('serves live values and notifies on client.valueChanged(path)', async () => {
    const { LwM2mValue } = await import('@lwm2m-ts/objects');
    let celsius = 19.5;
    const writes: number[] = [];
    const enabler: import('../src/index').InstanceEnabler = {
      resourceIds: () => [5700, 5701],
      read: (id) => (id === 5700 ? LwM2mValue.float(celsius) : id === 5701 ? LwM2mValue.string('Cel') : undefined),
      write: (id) => void writes.push(id),
      execute: () => {
        throw new (class extends Error {})('no');
      },
    };
    const s = setup([{ id: 3303, instances: { 0: enabler } }]);
    await started(s);
    const o = observe(s, '/3303/0/5700');
    await settle();
    celsius = 20.25;
    s.client.valueChanged('/3303/0/5700');
    await settle();
    expect(o.texts).toEqual(['19.5', '20.25']);
    const exec = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/3303/0/5605' });
    expect(exec.code).toBe(CoapCode.NOT_FOUND); // not among the enabler's resources
  });
});
