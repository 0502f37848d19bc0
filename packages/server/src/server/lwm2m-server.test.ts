import { makePeer } from '@lwm2m-ts/coap';
import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { describe, expect, it, vi } from 'vitest';
import { ClientSleepingError } from '../core/errors/client-sleeping-error';
import { RequestTimeoutError } from '../core/errors/request-timeout-error';
import { UnknownEndpointError } from '../core/errors/unknown-endpoint-error';
import { counterIds } from '../core/id-generator';
import { ManualClock } from '../core/manual-clock';
import type { DownlinkRequest } from '../request/downlink-requests';
import { CancelObservationResponse, ObserveResponse, ReadResponse } from '../request/downlink-responses';
import { InvalidRequestError } from '../request/request-builders';
import type { DownlinkSender, DownlinkTarget } from './downlink-sender';
import { LwM2mServer } from './lwm2m-server';
import type { ServerEvents } from './server-events';

const manufacturer = Resource.single(0, LwM2mValue.string('Acme'));

class FakeSender implements DownlinkSender {
  sent: { target: DownlinkTarget; request: DownlinkRequest }[] = [];
  forgotten: string[] = [];
  timeout = false;
  async send(target: DownlinkTarget, request: DownlinkRequest): Promise<never> {
    this.sent.push({ target, request });
    if (this.timeout) throw new RequestTimeoutError(target.endpoint, request.kind, 1000);
    switch (request.kind) {
      case 'read':
        return ReadResponse.success(manufacturer) as never;
      case 'observe':
        return ObserveResponse.established(manufacturer, {
          id: `tok${this.sent.length}`,
          registrationId: target.registrationId!,
          endpoint: target.endpoint,
          kind: 'single',
          paths: [request.path.toString()],
          createdAt: 0,
        }) as never;
      case 'cancel-observation':
        return CancelObservationResponse.success() as never;
      default:
        return ReadResponse.notFound() as never;
    }
  }
  forgetObservation(id: string) {
    this.forgotten.push(id);
  }
}

async function setup(queueMode = false, registrationCacheMs?: number) {
  const clock = new ManualClock();
  const sender = new FakeSender();
  const server = new LwM2mServer({
    sender,
    clock,
    generateId: counterIds('q'),
    awakeTimeMs: 10_000,
    ...(registrationCacheMs !== undefined ? { registrationCacheMs } : {}),
  });
  const events: [string, unknown][] = [];
  for (const name of [
    'registered',
    'sleeping',
    'awake',
    'queuedResponse',
    'queuedDropped',
    'notification',
    'observationCancelled',
  ] as const) {
    server.events.on(name, (e: ServerEvents[typeof name]) => events.push([name, e]));
  }
  const peer = makePeer('10.0.0.1', 5683);
  const result = await server.registrations.register(
    { endpoint: 'dev', lifetime: 300, lwm2mVersion: '1.1', binding: 'U', queueMode, objectLinks: '</3/0>' },
    peer,
  );
  return { clock, sender, server, events, registration: result.registration!, peer };
}

describe('LwM2mServer downlink API', () => {
  it('reads a resource and returns a typed response', async () => {
    const { server, sender } = await setup();
    const response = await server.read('dev', '/3/0/0', { format: 11542 });
    expect(response.isSuccess()).toBe(true);
    expect(response.code).toBe('2.05');
    expect(response.content).toBe(manufacturer);
    expect(sender.sent[0]?.request).toMatchObject({ kind: 'read', format: 11542 });
    expect(sender.sent[0]?.target).toMatchObject({ endpoint: 'dev', registrationId: 'q1' });
  });

  it('throws for unknown endpoints and misuse, before sending', async () => {
    const { server, sender } = await setup();
    await expect(server.read('ghost', '/3/0')).rejects.toBeInstanceOf(UnknownEndpointError);
    expect(() => server.execute('dev', '/3/0')).toThrow(InvalidRequestError);
    expect(() => server.read('dev', '/3/x')).toThrow('is not an LwM2M path');
    expect(() => server.discover('dev', '/3', { depth: 7 })).toThrow('depth');
    expect(() => server.create('dev', '/3/0', { kind: 'object-instance', id: 0, resources: new Map() })).toThrow(
      'object path',
    );
    expect(sender.sent).toHaveLength(0);
  });

  it('observes: notifications reach the iterator and the event, cancel ends both', async () => {
    const { server, sender, events } = await setup();
    const observation = await server.observe('dev', '/3/0/0');
    expect(observation.isSuccess()).toBe(true);
    const id = observation.info!.id;
    await server.observations.notify(id, { code: '2.05', content: manufacturer });
    const iterator = observation[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ code: '2.05', content: manufacturer });
    expect(events.filter(([n]) => n === 'notification')).toHaveLength(1);
    await observation.cancel('active');
    expect(sender.sent.at(-1)?.request).toMatchObject({ kind: 'cancel-observation', observation: { id } });
    expect(sender.forgotten).toEqual([id]);
    expect((await iterator.next()).done).toBe(true);
    expect(await server.observations.notify(id, { code: '2.05', content: manufacturer })).toBeUndefined();
  });

  it('ends observations when the registration ends, and keeps them across an address change', async () => {
    const { server } = await setup();
    const observation = await server.observe('dev', '/3/0/0');
    await server.registrations.update({ registrationId: 'q1' }, makePeer('10.7.7.7', 1234));
    expect(await server.observations.store.get(observation.info!.id)).toBeDefined();
    await server.registrations.deregister('q1', makePeer('10.7.7.7', 1234));
    await Promise.resolve();
    expect(await server.observations.store.list()).toEqual([]);
    const it = observation[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(true);
  });

  it('an error notification ends the observation', async () => {
    const { server } = await setup();
    const observation = await server.observe('dev', '/3/0/0');
    await server.observations.notify(observation.info!.id, { code: '4.04' });
    const seen = [];
    for await (const n of observation) seen.push(n.code);
    expect(seen).toEqual(['4.04']);
  });
});

describe('queue mode', () => {
  it('queues while sleeping, delivers in order on Update, drops expired ones', async () => {
    const { server, sender, clock, events, peer } = await setup(true);
    // Awake right after registering.
    expect((await server.read('dev', '/3/0/0')).isSuccess()).toBe(true);
    await clock.advance(10_001);
    expect(events.filter(([n]) => n === 'sleeping')).toHaveLength(1);

    const errors: unknown[] = [];
    await server.read('dev', '/3/0/0').catch((e) => errors.push(e));
    await server.read('dev', '/3/0/1', { ttlMs: 5_000 }).catch((e) => errors.push(e));
    await server.read('dev', '/3/0/2').catch((e) => errors.push(e));
    expect(errors.every((e) => ClientSleepingError.isInstance(e))).toBe(true);
    const ids = errors.map((e) => (e as ClientSleepingError).queuedRequestId);
    expect((await server.queue.list('dev')).map((q) => q.id)).toEqual(ids);
    expect(await server.queue.cancel(ids[2]!)).toBe(true);
    expect(await server.queue.cancel(ids[2]!)).toBe(false);

    const sentBefore = sender.sent.length;
    await clock.advance(6_000); // the second request's TTL passes
    await server.registrations.update({ registrationId: 'q1' }, peer);
    await clock.advance(0);
    const delivered = sender.sent
      .slice(sentBefore)
      .map((s) => (s.request as { path: { toString(): string } }).path.toString());
    expect(delivered).toEqual(['/3/0/0']);
    expect(events.filter(([n]) => n === 'queuedResponse')).toHaveLength(1);
    expect(events.filter(([n]) => n === 'queuedDropped').map(([, e]) => (e as { reason: string }).reason)).toEqual([
      'cancelled',
      'expired',
    ]);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(2);
    expect(await server.queue.list('dev')).toEqual([]);
  });

  it('a timeout puts the client to sleep', async () => {
    const { server, sender, events } = await setup(true);
    sender.timeout = true;
    await expect(server.read('dev', '/3/0/0')).rejects.toBeInstanceOf(RequestTimeoutError);
    await Promise.resolve();
    expect(events.filter(([n]) => n === 'sleeping')).toHaveLength(1);
    await expect(server.read('dev', '/3/0/0')).rejects.toBeInstanceOf(ClientSleepingError);
  });
});

describe('housekeeping', () => {
  it('drops queued requests when their TTL passes, on the sweep timer', async () => {
    const { server, clock, events } = await setup(true);
    server.start();
    await clock.advance(10_001); // asleep
    await server.read('dev', '/3/0/0', { ttlMs: 3_000 }).catch(() => {});
    await clock.advance(2_000);
    expect(events.filter(([n]) => n === 'queuedDropped')).toHaveLength(0);
    await clock.advance(2_000);
    expect(events.filter(([n]) => n === 'queuedDropped').map(([, e]) => (e as { reason: string }).reason)).toEqual([
      'expired',
    ]);
    server.stop();
    expect(clock.pending).toBe(0);
  });

  it('lists observations per endpoint; a notification wakes a queue-mode client', async () => {
    const { server, clock, events } = await setup(true);
    const observation = await server.observe('dev', '/3/0/0');
    expect((await server.listObservations('dev')).map((o) => o.id)).toEqual([observation.info!.id]);
    expect(await server.listObservations('ghost')).toEqual([]);
    await clock.advance(10_001);
    expect(events.filter(([n]) => n === 'sleeping')).toHaveLength(1);
    await server.observations.notify(observation.info!.id, { code: '2.05', content: manufacturer });
    await clock.advance(0);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(2);
  });
});

describe('notifications and the queue-mode check', () => {
  const notifyMany = async (server: LwM2mServer, id: string, count: number) => {
    for (let i = 0; i < count; i++) await server.observations.notify(id, { code: '2.05', content: manufacturer });
    await Promise.resolve();
  };

  it('a recently seen registration answers without a store lookup; after registrationCacheMs the store is asked again', async () => {
    const { server, clock } = await setup(false);
    const observation = await server.observe('dev', '/3/0/0');
    const getById = vi.spyOn(server.registrations.store, 'getById');
    await notifyMany(server, observation.info!.id, 100);
    expect(getById).toHaveBeenCalledTimes(0);
    await clock.advance(1_000);
    await notifyMany(server, observation.info!.id, 50);
    expect(getById).toHaveBeenCalledTimes(1);
  });

  it('registrationCacheMs 0 asks the store for every notification', async () => {
    const { server } = await setup(false, 0);
    const observation = await server.observe('dev', '/3/0/0');
    const getById = vi.spyOn(server.registrations.store, 'getById');
    await notifyMany(server, observation.info!.id, 5);
    expect(getById).toHaveBeenCalledTimes(5);
  });

  it('a queue-mode client is marked awake by every notification, cached or not', async () => {
    const { server, clock, events } = await setup(true);
    const observation = await server.observe('dev', '/3/0/0');
    for (let round = 0; round < 3; round++) {
      await clock.advance(10_001);
      await notifyMany(server, observation.info!.id, 1);
      await clock.advance(0);
    }
    expect(events.filter(([n]) => n === 'sleeping')).toHaveLength(3);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(4);
  });

  it('a change made in the store by another node (no local event) is seen within registrationCacheMs', async () => {
    const { server, clock, events, peer } = await setup(false, 500);
    const observation = await server.observe('dev', '/3/0/0');
    // Another node switched the registration to queue mode through the shared store.
    await server.registrations.store.update('q1', { queueMode: true, peer, lastUpdate: clock.now() });
    await notifyMany(server, observation.info!.id, 1);
    await clock.advance(0);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(0);
    await clock.advance(500);
    await notifyMany(server, observation.info!.id, 1);
    await clock.advance(0);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(1);
  });

  it('a local update applies at once (no waiting for registrationCacheMs)', async () => {
    const { server, clock, events, peer } = await setup(false, 60_000);
    const observation = await server.observe('dev', '/3/0/0');
    await notifyMany(server, observation.info!.id, 1);
    await server.registrations.update({ registrationId: 'q1', queueMode: true }, peer);
    await clock.advance(10_001);
    expect(events.filter(([n]) => n === 'sleeping')).toHaveLength(1);
    const getById = vi.spyOn(server.registrations.store, 'getById');
    await notifyMany(server, observation.info!.id, 1);
    await clock.advance(0);
    expect(events.filter(([n]) => n === 'awake')).toHaveLength(2);
    expect(getById).toHaveBeenCalledTimes(0);
  });
});
