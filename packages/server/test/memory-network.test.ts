import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat, decodeUtf8 } from '@lwm2m-ts/codec';
import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ClientSleepingError,
  type CoapLwM2mServer,
  counterIds,
  createLwM2mServer,
  RequestTimeoutError,
  type ServerEvents,
  UnknownEndpointError,
} from '../src/index';
import { FakeDevice } from './fake-device';

let network: MemoryNetwork;
let server: CoapLwM2mServer;
let device: FakeDevice;
let events: [keyof ServerEvents, unknown][];

function setup(options: { awakeTimeMs?: number } = {}) {
  network = new MemoryNetwork();
  const serverTransport = network.transport('server', { port: 5683 });
  server = createLwM2mServer({
    transport: serverTransport,
    generateId: counterIds('id'),
    requestTimeoutMs: 5_000,
    ...options,
  });
  events = [];
  for (const name of [
    'registered',
    'updated',
    'deregistered',
    'expired',
    'notification',
    'send',
    'sleeping',
    'awake',
    'queuedResponse',
  ] as const) {
    server.events.on(name, (event: unknown) => events.push([name, event]));
  }
  const deviceTransport = network.transport('device', { port: 50000 });
  device = new FakeDevice(deviceTransport, deviceTransport.peerOf(serverTransport));
  return serverTransport;
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const named = (name: keyof ServerEvents) => events.filter(([n]) => n === name).map(([, e]) => e);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await device?.close();
  await server?.close();
  vi.useRealTimers();
});

describe('LwM2M server over CoAP (MemoryNetwork)', () => {
  it('registers a device and reads it in TLV, text and SenML', async () => {
    setup();
    const response = await device.register();
    expect(response.codeText).toBe('2.01');
    expect(response.locationPath).toEqual(['rd', 'id1']);
    await tick();
    expect(named('registered')).toHaveLength(1);
    const registration = await server.getRegistration('dev1');
    expect(registration).toMatchObject({ id: 'id1', endpoint: 'dev1', lifetime: 60, lwm2mVersion: '1.1' });
    expect(registration?.peer.key).toBe('device|50000');

    const tlv = await server.read('dev1', '/3/0', { format: ContentFormat.LWM2M_TLV });
    expect(tlv.code).toBe('2.05');
    expect(tlv.content).toEqual(device.deviceInstance());

    const text = await server.read('dev1', '/3/0/0');
    expect(text.content).toEqual(Resource.single(0, LwM2mValue.string('Acme')));

    const senml = await server.read('dev1', '/3/0', { format: ContentFormat.SENML_JSON });
    expect(senml.isSuccess()).toBe(true);
    expect(senml.content?.kind).toBe('object-instance');

    for (const format of [ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
      const response = await server.read('dev1', '/3/0', { format });
      expect(response.content).toEqual(device.deviceInstance());
    }

    const missing = await server.read('dev1', '/5/0');
    expect(missing.code).toBe('4.04');
    expect(missing.isSuccess()).toBe(false);
  });

  it('writes, executes with arguments, writes attributes and discovers', async () => {
    setup();
    await device.register();
    await tick();
    const write = await server.write('dev1', '/3/0/0', Resource.single(0, LwM2mValue.string('Zeta')), {
      format: ContentFormat.TEXT_PLAIN,
    });
    expect(write.code).toBe('2.04');
    expect(device.manufacturer).toBe('Zeta');

    const exec = await server.execute('dev1', '/3/0/4', { arguments: [{ id: 0, value: 'now' }, { id: 1 }] });
    expect(exec.code).toBe('2.04');
    expect(device.received.at(-1)).toMatchObject({ method: 'POST', path: '/3/0/4', payload: "0='now',1" });

    const attrs = await server.writeAttributes('dev1', '/3/0', { pmin: 10, pmax: 60, gt: null });
    expect(attrs.code).toBe('2.04');
    expect(device.received.at(-1)?.query).toEqual(['pmin=10', 'pmax=60', 'gt']);

    const discover = await server.discover('dev1', '/3/0/0');
    expect(discover.links).toEqual([{ path: '/3/0/0', attributes: {} }]);
  });

  it('addresses a client under its alternate root path and does partial updates (POST)', async () => {
    setup();
    device.endpoint.router.get('/lwm2m/3/0/0', () => ({ contentFormat: 0, payload: 'Rooted' }));
    device.endpoint.router.post('/lwm2m/3/0', (req) => {
      device.received.push({ method: 'POST', path: '/lwm2m/3/0', payload: '', query: req.query });
      return { code: 0x44 };
    });
    await device.register(['lwm2m=1.0'], '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>');
    await tick();
    const read = await server.read('dev1', '/3/0/0');
    expect(read.content).toEqual(Resource.single(0, LwM2mValue.string('Rooted')));
    const instance = device.deviceInstance();
    const update = await server.write('dev1', '/3/0', instance, { mode: 'update' });
    expect(update.code).toBe('2.04');
    expect(device.received.at(-1)).toMatchObject({ method: 'POST', path: '/lwm2m/3/0' });
  });

  it('observes: notifications as an async iterable and as events; active cancel', async () => {
    setup();
    await device.register();
    await tick();
    const observation = await server.observe('dev1', '/3/0/9');
    expect(observation.isSuccess()).toBe(true);
    expect(observation.response.content).toEqual(Resource.single(9, LwM2mValue.integer(87)));
    expect(device.endpoint.observerCount('/3/0/9')).toBe(1);

    device.setBattery(50);
    await tick(10);
    device.setBattery(40);
    await tick(10);
    const iterator = observation[Symbol.asyncIterator]();
    const values = [];
    for (let i = 0; i < 2; i++) {
      const next = await iterator.next();
      const content = next.value?.content;
      values.push(content?.kind === 'resource' && !content.multiple ? content.value.value : undefined);
    }
    expect(values).toEqual([50, 40]);
    expect(named('notification')).toHaveLength(2);

    await observation.cancel('active');
    await tick(10);
    expect(device.endpoint.observerCount('/3/0/9')).toBe(0);
    expect((await iterator.next()).done).toBe(true);
    expect(await server.observations.store.list()).toEqual([]);
  });

  it('keeps an observation when the device moves to a new address (Update)', async () => {
    const serverTransport = setup();
    await device.register();
    await tick();
    const observation = await server.observe('dev1', '/3/0/9');
    const id = observation.info!.id;

    // Same device, new socket (NAT rebinding): the Update comes from another port.
    const moved = new FakeDevice(network.transport('device', { port: 50001 }), device.server);
    moved.location = device.location;
    moved.battery = 33;
    await device.close();
    const update = await moved.update();
    expect(update.codeText).toBe('2.04');
    await tick(10);
    expect(named('updated')[0]).toMatchObject({ addressChanged: true });
    expect((await server.getRegistration('dev1'))?.peer.key).toBe('device|50001');
    expect(moved.endpoint.observerCount('/3/0/9')).toBe(1);

    moved.setBattery(22);
    await tick(10);
    const iterator = observation[Symbol.asyncIterator]();
    const first = await iterator.next();
    const second = await iterator.next();
    expect(first.value?.observation.id).toBe(id);
    expect([first.value?.content, second.value?.content]).toEqual([
      Resource.single(9, LwM2mValue.integer(33)),
      Resource.single(9, LwM2mValue.integer(22)),
    ]);
    device = moved;
    void serverTransport;
  });

  it('handles Send (POST /dp) from a registered device and refuses strangers', async () => {
    setup();
    await device.register();
    await tick();
    const nodes = new Map([['/3/0/9', Resource.single(9, LwM2mValue.integer(12))]]);
    const answer = await device.send(nodes);
    expect(answer.codeText).toBe('2.04');
    expect(named('send')[0]).toMatchObject({ content: nodes });

    const stranger = new FakeDevice(network.transport('stranger'), device.server, 'x');
    expect((await stranger.send(nodes)).codeText).toBe('4.04');
    const garbage = await device.endpoint.request({
      peer: device.server,
      method: 'POST',
      path: 'dp',
      contentFormat: ContentFormat.SENML_JSON,
      payload: '[{"n":',
    });
    expect(garbage.codeText).toBe('4.00');
    expect(decodeUtf8(garbage.payload)).toContain('invalid Send payload');
    await stranger.close();
  });

  it('updates, de-registers and then reports an unknown endpoint', async () => {
    setup();
    await device.register();
    await tick();
    expect((await device.update(['lt=120'], '</1/0>,</3/0>,</3303/0>')).codeText).toBe('2.04');
    await tick();
    expect((await server.getRegistration('dev1'))?.lifetime).toBe(120);
    expect((await device.deregister()).codeText).toBe('2.02');
    await tick();
    expect(named('deregistered')).toHaveLength(1);
    await expect(server.read('dev1', '/3/0')).rejects.toBeInstanceOf(UnknownEndpointError);
    expect((await device.update()).codeText).toBe('4.04');
  });

  it('expires a registration whose lifetime ends', async () => {
    setup();
    await device.register(['lt=30']);
    await tick(29_000);
    expect(await server.getRegistration('dev1')).toBeDefined();
    await tick(2_500);
    expect(await server.getRegistration('dev1')).toBeUndefined();
    expect(named('expired')).toHaveLength(1);
  });

  it('times out when the device is gone', async () => {
    setup();
    await device.register();
    await tick();
    await device.close();
    const pending = server.read('dev1', '/3/0').catch((e: unknown) => e);
    await tick(6_000);
    const error = await pending;
    expect(RequestTimeoutError.isInstance(error)).toBe(true);
  });

  it('queue mode: queues while asleep, delivers on the next Update', async () => {
    setup({ awakeTimeMs: 20_000 });
    await device.register(['lt=300', 'lwm2m=1.1', 'b=U', 'Q']);
    await tick();
    expect(named('awake')).toHaveLength(1);
    await tick(20_001);
    expect(named('sleeping')).toHaveLength(1);
    const error = await server.read('dev1', '/3/0/0').catch((e: unknown) => e);
    expect(ClientSleepingError.isInstance(error)).toBe(true);
    const queued = await server.queue.list('dev1');
    expect(queued.map((q) => q.id)).toEqual([(error as ClientSleepingError).queuedRequestId]);
    const before = device.received.length;
    await device.update();
    await tick(10);
    expect(device.received.length).toBe(before + 1);
    expect(named('queuedResponse')).toHaveLength(1);
    expect(await server.queue.list('dev1')).toEqual([]);
  });
});

describe('bad input on the registration interface', () => {
  const post = (query: readonly string[], payload: string | Uint8Array = '</3/0>', contentFormat = 40) =>
    device.endpoint.request({ peer: device.server, method: 'POST', path: 'rd', query, payload, contentFormat });

  it.each([
    [['lt=60'], '</3/0>', '4.00', 'missing endpoint client name'],
    [['ep=a', 'lt=0'], '</3/0>', '4.00', 'lifetime'],
    [['ep=a', 'lt=99999999999999'], '</3/0>', '4.00', 'lifetime'],
    [['ep=a'], '</3/0/1/9>', '4.00', 'invalid registration payload'],
    [['ep=a'], '<3/0', '4.00', 'invalid registration payload'],
    [['ep=a', 'lwm2m=9.9'], '</3/0>', '4.12', 'not supported'],
  ])('%j %s -> %s', async (query, payload, code, diagnostic) => {
    setup();
    const response = await post(query, payload);
    expect(response.codeText).toBe(code);
    expect(decodeUtf8(response.payload)).toContain(diagnostic);
    expect(await server.listRegistrations()).toEqual([]);
  });

  it('rejects oversized payloads (4.13), wrong content formats (4.15) and invalid UTF-8 (4.00)', async () => {
    setup();
    expect((await post(['ep=a'], `</3/0>,${'</3303/0>,'.repeat(2000)}</1/0>`)).codeText).toBe('4.13');
    expect((await post(['ep=a'], '</3/0>', 0)).codeText).toBe('4.15');
    expect((await post(['ep=a'], new Uint8Array([0xff, 0xfe]))).codeText).toBe('4.00');
    expect(await server.listRegistrations()).toEqual([]);
  });

  it('answers 4.04 to Update / De-register of unknown registrations', async () => {
    setup();
    const update = await device.endpoint.request({ peer: device.server, method: 'POST', path: 'rd/nope' });
    expect(update.codeText).toBe('4.04');
    const del = await device.endpoint.request({ peer: device.server, method: 'DELETE', path: 'rd/nope' });
    expect(del.codeText).toBe('4.04');
  });
});
