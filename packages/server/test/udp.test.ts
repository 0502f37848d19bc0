import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoapLwM2mServer, createLwM2mServer, type Registration } from '../src/index';
import { FakeDevice } from './fake-device';

let server: CoapLwM2mServer | undefined;
let device: FakeDevice | undefined;

afterEach(async () => {
  await device?.close();
  await server?.close();
});

describe('LwM2M server over real UDP (loopback)', () => {
  it('registers a device, reads a resource, observes, de-registers', async () => {
    const serverTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    server = createLwM2mServer({ transport: serverTransport, requestTimeoutMs: 5_000 });
    const registered = new Promise<Registration>((resolve) =>
      server!.events.on('registered', (e) => resolve(e.registration)),
    );
    const deviceTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const port = serverTransport.localAddress()!.port;
    device = new FakeDevice(deviceTransport, await deviceTransport.resolvePeer('127.0.0.1', port));

    expect((await device.register()).codeText).toBe('2.01');
    const registration = await registered;
    expect(registration.peer.address).toBe('127.0.0.1');
    expect(registration.peer.port).toBe(deviceTransport.localAddress()!.port);

    const read = await server.read('dev1', '/3/0/0');
    expect(read.content).toEqual(Resource.single(0, LwM2mValue.string('Acme')));

    const observation = await server.observe('dev1', '/3/0/9');
    device.setBattery(11);
    const iterator = observation[Symbol.asyncIterator]();
    const next = await iterator.next();
    expect(next.value?.content).toEqual(Resource.single(9, LwM2mValue.integer(11)));
    await observation.cancel('active');

    expect((await device.deregister()).codeText).toBe('2.02');
  });
});
