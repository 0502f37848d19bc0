import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createDefaultRegistry, LwM2mPath, LwM2mValue, ObjectInstance, Resource } from '@lwm2m-ts/objects';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CoapLwM2mServer, counterIds, createLwM2mServer, InvalidRequestError } from '../src/index';
import { codecs, FakeDevice } from './fake-device';

const models = createDefaultRegistry();
const lookup = (o: number, r: number) => models.get(o)?.resources.get(r);
let server: CoapLwM2mServer;
let device: FakeDevice;
const temperatures = new Map<number, number>([[0, 21.5]]);

beforeEach(async () => {
  vi.useFakeTimers();
  const network = new MemoryNetwork();
  const serverTransport = network.transport('server', { port: 5683 });
  server = createLwM2mServer({ transport: serverTransport, generateId: counterIds('id'), requestTimeoutMs: 5_000 });
  const deviceTransport = network.transport('device');
  device = new FakeDevice(deviceTransport, deviceTransport.peerOf(serverTransport));
  const router = device.endpoint.router;
  // Read-Composite / Observe-Composite: FETCH on the root with the paths in the body.
  router.add('/', {
    fetch: (req) => {
      const paths = codecs.decodePaths(req.contentFormat ?? ContentFormat.SENML_JSON, req.payload);
      const nodes = new Map<string, ReturnType<FakeDevice['deviceInstance']> | Resource>();
      for (const path of paths) {
        if (path.toString() === '/3/0/0')
          nodes.set('/3/0/0', Resource.single(0, LwM2mValue.string(device.manufacturer)));
        if (path.toString() === '/3/0/9') nodes.set('/3/0/9', Resource.single(9, LwM2mValue.integer(device.battery)));
      }
      const format = req.accept ?? ContentFormat.SENML_JSON;
      return { contentFormat: format, payload: codecs.encodeComposite(format, nodes) };
    },
    observable: true,
    ipatch: (req) => {
      const nodes = codecs.decodeComposite(req.contentFormat ?? ContentFormat.SENML_JSON, req.payload);
      const manufacturer = nodes.get('/3/0/0');
      if (manufacturer?.kind === 'resource' && !manufacturer.multiple && manufacturer.value.type === 'string') {
        device.manufacturer = manufacturer.value.value;
      }
      return { code: 0x44 };
    },
  });
  router.post('/3303', (req) => {
    const object = codecs.decode(req.contentFormat ?? ContentFormat.LWM2M_TLV, req.payload, LwM2mPath.of(3303), lookup);
    if (object.kind !== 'object' || object.instances.size !== 1) return { code: 0x80 };
    const [[id, instance]] = [...object.instances] as [[number, ObjectInstance]];
    const value = instance.resources.get(5700);
    if (value?.kind === 'resource' && !value.multiple && value.value.type === 'float')
      temperatures.set(id, value.value.value);
    return { code: 0x41, locationPath: ['3303', String(id)] };
  });
  router.delete('/3303/:id', (req) => {
    const id = Number(req.params.id);
    if (!temperatures.has(id)) return { code: 0x84 };
    temperatures.delete(id);
    return { code: 0x42 };
  });
  await device.register(undefined, '</>;rt="oma.lwm2m";ct="110 112 11542",</1/0>,</3/0>,</3303/0>');
  await vi.advanceTimersByTimeAsync(0);
});

afterEach(async () => {
  await device.close();
  await server.close();
  vi.useRealTimers();
});

describe('composite operations and create / delete', () => {
  it('reads several paths at once (SenML JSON and CBOR)', async () => {
    for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]) {
      const response = await server.readComposite('dev1', ['/3/0/0', '/3/0/9'], { requestFormat: format });
      expect(response.code).toBe('2.05');
      expect([...response.content.keys()]).toEqual(['/3/0/0', '/3/0/9']);
      expect(response.content.get('/3/0/9')).toEqual(Resource.single(9, LwM2mValue.integer(87)));
    }
  });

  it('observes several paths at once (Observe-Composite) and cancels', async () => {
    const observation = await server.observeComposite('dev1', ['/3/0/9'], { requestFormat: ContentFormat.SENML_CBOR });
    expect(observation.isSuccess()).toBe(true);
    expect(observation.info?.kind).toBe('composite');
    expect(observation.response.content.get('/3/0/9')).toEqual(Resource.single(9, LwM2mValue.integer(87)));
    device.battery = 64;
    device.endpoint.notify('/');
    await vi.advanceTimersByTimeAsync(10);
    const next = await observation[Symbol.asyncIterator]().next();
    expect(next.value?.compositeContent?.get('/3/0/9')).toEqual(Resource.single(9, LwM2mValue.integer(64)));
    await observation.cancel('active');
    expect(device.endpoint.observerCount('/')).toBe(0);
  });

  it('writes several resources at once', async () => {
    const response = await server.writeComposite('dev1', { '/3/0/0': Resource.single(0, LwM2mValue.string('Omega')) });
    expect(response.code).toBe('2.04');
    expect(device.manufacturer).toBe('Omega');
    expect(() => server.writeComposite('dev1', {})).toThrow(InvalidRequestError);
  });

  it('creates an instance (location returned) and deletes it', async () => {
    const instance = ObjectInstance.of(1, [Resource.single(5700, LwM2mValue.float(19.25))]);
    const created = await server.create('dev1', '/3303', instance, { format: ContentFormat.LWM2M_TLV });
    expect(created.code).toBe('2.01');
    expect(created.location).toBe('/3303/1');
    expect(temperatures.get(1)).toBe(19.25);
    expect((await server.delete('dev1', '/3303/1')).code).toBe('2.02');
    expect((await server.delete('dev1', '/3303/1')).code).toBe('4.04');
  });
});
