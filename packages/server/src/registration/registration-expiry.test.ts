/** Expiry through the in-memory store's heap: order, updates, de-registration, and the work a sweep does. */
import { makePeer } from '@lwm2m-ts/coap';
import { describe, expect, it } from 'vitest';
import { counterIds } from '../core/id-generator';
import { ManualClock } from '../core/manual-clock';
import type { Registration } from './registration';
import type { RegisterRequest } from './registration-requests';
import { RegistrationService } from './registration-service';
import { InMemoryRegistrationStore } from './registration-store';

const T0 = 1_700_000_000_000;
const request = (endpoint: string, lifetime: number): RegisterRequest => ({
  endpoint,
  lifetime,
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  objectLinks: '</3/0>',
});
const peer = makePeer('10.0.0.1', 5683);

function setup(expiryGraceMs = 0) {
  const clock = new ManualClock(T0);
  const store = new InMemoryRegistrationStore();
  const service = new RegistrationService({ store, clock, generateId: counterIds('r'), expiryGraceMs });
  const expired: string[] = [];
  service.events.on('expired', ({ registration }) => expired.push(`${registration.endpoint}@${clock.now() - T0}`));
  service.start();
  return { clock, store, service, expired };
}

const reg = (i: number, lifetime: number): Registration => ({
  id: `id-${i}`,
  endpoint: `ep-${i}`,
  lifetime,
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  peer: { address: '127.0.0.1', port: 5683, key: `127.0.0.1|${i}` },
  objectLinks: '</3/0>',
  registeredAt: T0,
  lastUpdate: T0,
});

describe('registration expiry (in-memory store)', () => {
  it('expires registrations in expiry order, each at the first sweep after lifetime + grace', async () => {
    const { clock, service, expired } = setup(500);
    await service.register(request('thirty', 30), peer);
    await service.register(request('ten', 10), peer);
    await service.register(request('twenty', 20), peer);
    await clock.advance(10_000);
    expect(expired).toStrictEqual([]);
    await clock.advance(40_000);
    expect(expired).toStrictEqual(['ten@11000', 'twenty@21000', 'thirty@31000']);
    service.stop();
  });

  it('an update extends the expiry; the entry of the old lifetime is skipped', async () => {
    const { clock, service, store, expired } = setup();
    const r = (await service.register(request('dev', 10), peer)).registration!;
    await clock.advance(8_000);
    await service.update({ registrationId: r.id, lifetime: 5 }, peer); // now expires at 13 s
    await clock.advance(4_000);
    expect(expired).toStrictEqual([]);
    expect(await store.getById(r.id)).toBeDefined();
    await clock.advance(2_000);
    expect(expired).toStrictEqual(['dev@14000']);
    await clock.advance(20_000);
    expect(expired).toStrictEqual(['dev@14000']);
    service.stop();
  });

  it('an update that shortens the lifetime expires sooner', async () => {
    const { clock, service, expired } = setup();
    const r = (await service.register(request('dev', 100), peer)).registration!;
    await service.update({ registrationId: r.id, lifetime: 2 }, peer);
    await clock.advance(3_000);
    expect(expired).toStrictEqual(['dev@3000']);
    service.stop();
  });

  it('a de-registered or replaced registration never expires', async () => {
    const { clock, service, store, expired } = setup();
    const gone = (await service.register(request('gone', 10), peer)).registration!;
    await service.register(request('replaced', 10), peer);
    await service.deregister(gone.id, peer);
    await clock.advance(5_000);
    await service.register(request('replaced', 10), peer); // new registration, expires at 15 s
    await clock.advance(6_000);
    expect(expired).toStrictEqual([]);
    await clock.advance(5_000);
    expect(expired).toStrictEqual(['replaced@16000']);
    expect(store.size).toBe(0);
    service.stop();
  });

  it('with 100k registrations, a sweep in which one expires examines only that one', async () => {
    const store = new InMemoryRegistrationStore();
    for (let i = 0; i < 100_000; i++) await store.add(reg(i, 3600));
    await store.add(reg(-1, 10));
    const before = store.expiryWork;
    expect(await store.removeExpired(T0 + 5_000, 0)).toStrictEqual([]);
    expect(store.expiryWork - before).toBe(0);
    const expired = await store.removeExpired(T0 + 10_001, 0);
    expect(expired.map((r) => r.id)).toStrictEqual(['id--1']);
    expect(store.expiryWork - before).toBe(1);
    expect(store.size).toBe(100_000);
  });

  it('keeps the heap small when registrations update many times', async () => {
    const store = new InMemoryRegistrationStore();
    for (let i = 0; i < 100; i++) await store.add(reg(i, 60));
    for (let round = 1; round <= 200; round++)
      for (let i = 0; i < 100; i++)
        await store.update(`id-${i}`, { peer: reg(i, 60).peer, lastUpdate: T0 + round * 1000 });
    const before = store.expiryWork;
    // Compaction keeps at most 2 entries per live registration, so a sweep of all 100 examines ≤ 200.
    const expired = await store.removeExpired(T0 + 200_000 + 60_001, 0);
    expect(expired).toHaveLength(100);
    expect(store.expiryWork - before).toBeLessThanOrEqual(200);
  });
});
