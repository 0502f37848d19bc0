/** The client against the real @lwm2m-ts/server over MemoryNetwork. */
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat } from '@lwm2m-ts/codec';
import { LwM2mValue, ObjectInstance, Resource } from '@lwm2m-ts/objects';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deviceInstance,
  ipsoSensor,
  LwM2mClient,
  SimpleInstance,
  securityInstance,
  serverInstance,
} from '../src/index';
import { settle } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function world(lwm2mVersion: '1.0' | '1.1' = '1.1') {
  const network = new MemoryNetwork();
  const server = createLwM2mServer({ transport: network.transport('server', { port: 5683 }) });
  const sensor = ipsoSensor({ value: 25, units: 'Cel' });
  const thermostat = new SimpleInstance({ values: { 5900: 21 } });
  const reboots: string[] = [];
  const client = new LwM2mClient({
    endpointName: 'e2e-dev',
    lwm2mVersion,
    transport: network.transport('dev', { port: 40001 }),
    objects: [
      { id: 0, instances: { 0: securityInstance({ uri: 'coap://server:5683', shortServerId: 1 }) } },
      { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
      { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Acme', reboot: (r) => void reboots.push(r.kind) }) } },
      { id: 3303, instances: { 0: sensor } },
      { id: 3308, instances: { 0: thermostat } },
    ],
  });
  const registered = new Promise((resolve) => server.events.on('registered', resolve));
  const starting = client.start();
  await settle();
  await starting;
  await registered;
  return { network, server, client, sensor, thermostat, reboots };
}

describe('client against @lwm2m-ts/server', () => {
  it('registers, and the server reads, writes, executes, discovers, creates and deletes', async () => {
    const { server, client, thermostat, reboots } = await world();
    const registration = await server.getRegistration('e2e-dev');
    expect(registration).toMatchObject({ endpoint: 'e2e-dev', lifetime: 300, lwm2mVersion: '1.1' });

    const call = async <T>(p: Promise<T>) => {
      await settle();
      return p;
    };
    const read = await call(server.read('e2e-dev', '/3/0/0'));
    expect(read.code).toBe('2.05');
    expect(read.content).toEqual(Resource.single(0, LwM2mValue.string('Acme')));
    const tlv = await call(server.read('e2e-dev', '/3303/0', { format: ContentFormat.LWM2M_TLV }));
    expect(tlv.isSuccess()).toBe(true);

    const write = await call(server.write('e2e-dev', '/3308/0/5900', Resource.single(5900, LwM2mValue.float(18))));
    expect(write.code).toBe('2.04');
    expect(thermostat.value(5900)).toBe(18);
    const refused = await call(server.write('e2e-dev', '/3/0/0', Resource.single(0, LwM2mValue.string('x'))));
    expect(refused.code).toBe('4.05');

    expect((await call(server.execute('e2e-dev', '/3/0/4'))).code).toBe('2.04');
    await settle();
    expect(reboots).toEqual(['server']);

    const discover = await call(server.discover('e2e-dev', '/3303/0'));
    expect(discover.links.map((l) => l.path)).toContain('/3303/0/5700');

    const created = await call(
      server.create('e2e-dev', '/3303', ObjectInstance.of(7, [Resource.single(5700, LwM2mValue.float(3))])),
    );
    expect(created.code).toBe('2.01');
    await settle();
    expect((await server.getRegistration('e2e-dev'))!.objectLinks).toContain('</3303/7>');
    expect((await call(server.delete('e2e-dev', '/3303/7'))).code).toBe('2.02');

    const composite = await call(
      server.writeComposite('e2e-dev', { '/3308/0/5900': Resource.single(5900, LwM2mValue.float(17)) }),
    );
    expect(composite.code).toBe('2.04');
    expect(thermostat.value(5900)).toBe(17);
    await client.stop({ deregister: false });
    await server.close();
  });

  it('observes with attributes: the server gets 25 then 26, nothing inside pmin', async () => {
    const { server, client, sensor } = await world();
    const notifications: unknown[] = [];
    server.events.on('notification', (n) => notifications.push(n));
    const attrs = server.writeAttributes('e2e-dev', '/3303/0/5700', { pmin: 5 } as never);
    await settle();
    expect((await attrs).code).toBe('2.04');
    const observing = server.observe('e2e-dev', '/3303/0/5700');
    await settle();
    const observation = await observing;
    expect(observation).toBeDefined();
    sensor.update(26);
    await settle();
    expect(notifications).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(notifications).toHaveLength(1);
    expect(JSON.stringify(notifications[0], (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).toContain('26');
    await client.stop({ deregister: false });
    await server.close();
  });

  it('sends data the server receives as a send event, and de-registers', async () => {
    const { server, client } = await world();
    const received: string[][] = [];
    server.events.on('send', (e) => received.push([...e.content.keys()]));
    const sending = client.send(['/3303/0/5700', '/3/0/0']);
    await settle();
    await sending;
    expect(received).toEqual([['/3303/0/5700', '/3/0/0']]);
    const gone = new Promise((resolve) => server.events.on('deregistered', resolve));
    const stopping = client.stop();
    await settle();
    await stopping;
    await gone;
    expect(await server.getRegistration('e2e-dev')).toBeUndefined();
    await server.close();
  });
});

describe('client against the @lwm2m-ts/server bootstrap server', () => {
  it('bootstraps (Delete, Writes, Finish) and registers with the configured server', async () => {
    const { createBootstrapServer } = await import('@lwm2m-ts/server');
    const network = new MemoryNetwork();
    const server = createLwM2mServer({ transport: network.transport('server', { port: 5683 }) });
    const bs = createBootstrapServer({ transport: network.transport('bs', { port: 5683 }) });
    await bs.configs.put('bs-dev', {
      security: {
        0: { uri: 'coap://bs:5683', bootstrapServer: true, securityMode: 3 },
        1: { uri: 'coap://server:5683', bootstrapServer: false, securityMode: 3, shortServerId: 7 },
      },
      servers: { 0: { shortServerId: 7, lifetime: 120, notificationStoring: true, binding: 'U' } },
    });
    let finished = false;
    bs.events.on('sessionFinished', () => {
      finished = true;
    });
    const failed: unknown[] = [];
    bs.events.on('sessionFailed', (e) => failed.push(e));
    const client = new LwM2mClient({
      endpointName: 'bs-dev',
      transport: network.transport('dev', { port: 40001 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: 'coap://bs:5683', bootstrap: true }) } },
        { id: 1 },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Acme' }) } },
      ],
    });
    const steps: string[] = [];
    bs.events.on('requestCompleted', (e) => steps.push(`${e.request.kind} ${e.response.code}`));
    const starting = client.start();
    await settle();
    await starting;
    for (let i = 0; i < 20 && failed.length === 0; i++) await settle();
    expect(failed).toEqual([]);
    expect(steps).toEqual([
      'bootstrap-delete 2.02',
      'bootstrap-write 2.04',
      'bootstrap-write 2.04',
      'bootstrap-write 2.04',
      'bootstrap-finish 2.04',
    ]);
    expect(finished).toBe(true);
    const registration = await server.getRegistration('bs-dev');
    expect(registration).toMatchObject({ lifetime: 120 });
    expect(client.servers()).toMatchObject([{ shortServerId: 7, registered: true }]);
    await client.stop({ deregister: false });
    await server.close();
    await bs.close();
  });
});

describe('queue mode against @lwm2m-ts/server', () => {
  it('the server queues a Read while the client sleeps and delivers it after the Update', async () => {
    const network = new MemoryNetwork();
    const server = createLwM2mServer({ transport: network.transport('server', { port: 5683 }), awakeTimeMs: 10_000 });
    const client = new LwM2mClient({
      endpointName: 'sleepy',
      queueMode: { awakeTimeMs: 10_000 },
      transport: network.transport('dev', { port: 40001 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: 'coap://server:5683', shortServerId: 1 }) } },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 3600 }) } },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Sleepy Inc.' }) } },
      ],
    });
    const starting = client.start();
    await settle();
    await starting;
    expect((await server.getRegistration('sleepy'))?.queueMode).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.sleeping).toBe(true);
    const delivered: string[] = [];
    server.events.on('queuedResponse', (e) => delivered.push(`${e.response.code}`));
    const reading = server.read('sleepy', '/3/0/0').catch((e: Error) => e.name);
    await settle();
    expect(await reading).toBe('ClientSleepingError');
    const waking = client.wakeAndUpdate();
    await settle();
    await waking;
    await settle();
    expect(delivered).toEqual(['2.05']);
    await client.stop({ deregister: false });
    await server.close();
  });
});
