import { makePeer } from '@lwm2m-ts/coap';
import { describe, expect, it } from 'vitest';
import { counterIds } from '../core/id-generator';
import { ManualClock } from '../core/manual-clock';
import { SecurityStoreAuthorizer } from '../security/registration-authorizer';
import { InMemorySecurityStore } from '../security/security-store';
import type { RegisterRequest } from './registration-requests';
import { type RegistrationEvents, RegistrationService } from './registration-service';
import { InMemoryRegistrationStore } from './registration-store';

const request = (over: Partial<RegisterRequest> = {}): RegisterRequest => ({
  endpoint: 'dev1',
  lifetime: 60,
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  objectLinks: '</1/0>,</3/0>',
  ...over,
});
const peerA = makePeer('10.0.0.1', 5683);
const peerB = makePeer('10.0.0.2', 40000);

function setup(options: { authorizer?: SecurityStoreAuthorizer } = {}) {
  const clock = new ManualClock();
  const store = new InMemoryRegistrationStore();
  const service = new RegistrationService({ store, clock, generateId: counterIds('r'), ...options });
  const events: [keyof RegistrationEvents, unknown][] = [];
  for (const name of ['registered', 'updated', 'deregistered', 'expired'] as const) {
    service.events.on(name, (e) => events.push([name, e]));
  }
  return { clock, store, service, events };
}

describe('RegistrationService', () => {
  it('registers, finds by endpoint and id, emits registered', async () => {
    const { service, store, events, clock } = setup();
    const result = await service.register(request(), peerA);
    expect(result.code).toBe('2.01');
    const reg = result.registration!;
    expect(reg).toMatchObject({ id: 'r1', endpoint: 'dev1', lifetime: 60, registeredAt: clock.now(), peer: peerA });
    expect(await store.getByEndpoint('dev1')).toBe(reg);
    expect(await store.getById('r1')).toBe(reg);
    expect(events).toEqual([['registered', { registration: reg }]]);
  });

  it('re-registering replaces the old registration (deregistered: replaced)', async () => {
    const { service, store, events } = setup();
    await service.register(request(), peerA);
    const second = await service.register(request(), peerB);
    expect(second.registration?.id).toBe('r2');
    expect(await store.getById('r1')).toBeUndefined();
    expect(await store.list()).toHaveLength(1);
    expect(events.map(([n]) => n)).toEqual(['registered', 'deregistered', 'registered']);
    expect((events[1]![1] as { reason: string }).reason).toBe('replaced');
  });

  it('update changes lifetime, links and address; lifetime counts from the update', async () => {
    const { service, clock, events } = setup();
    await service.register(request(), peerA);
    await clock.advance(50_000);
    const result = await service.update({ registrationId: 'r1', lifetime: 120, objectLinks: '</3/0>,</5/0>' }, peerB);
    expect(result.code).toBe('2.04');
    expect(result.registration).toMatchObject({
      lifetime: 120,
      objectLinks: '</3/0>,</5/0>',
      peer: peerB,
      lastUpdate: clock.now(),
    });
    expect(events[1]).toEqual(['updated', expect.objectContaining({ addressChanged: true })]);
    await clock.advance(100_000);
    expect(await service.sweepExpired()).toEqual([]);
    await clock.advance(20_001);
    expect((await service.sweepExpired()).map((r) => r.id)).toEqual(['r1']);
  });

  it('expires registrations on the sweep timer and emits expired once', async () => {
    const { service, store, clock, events } = setup();
    service.start();
    await service.register(request({ lifetime: 10 }), peerA);
    await clock.advance(10_000);
    expect(await store.getById('r1')).toBeDefined();
    await clock.advance(1_500);
    expect(await store.getById('r1')).toBeUndefined();
    await clock.advance(5_000);
    expect(events.filter(([n]) => n === 'expired')).toHaveLength(1);
    service.stop();
    expect(clock.pending).toBe(0);
  });

  it('answers 4.04 for unknown ids and 4.00 for bad links, storing nothing', async () => {
    const { service, store } = setup();
    expect((await service.update({ registrationId: 'nope' }, peerA)).code).toBe('4.04');
    expect((await service.deregister('nope', peerA)).code).toBe('4.04');
    const bad = await service.register(request({ objectLinks: '</3/0/1/2/3>' }), peerA);
    expect(bad.code).toBe('4.00');
    expect(bad).toHaveProperty('diagnostic', expect.stringContaining('invalid registration payload'));
    expect(await store.list()).toEqual([]);
    await service.register(request(), peerA);
    const badUpdate = await service.update({ registrationId: 'r1', objectLinks: '<<' }, peerA);
    expect(badUpdate.code).toBe('4.00');
    expect((await store.getById('r1'))?.objectLinks).toBe('</1/0>,</3/0>');
  });

  it('deregisters', async () => {
    const { service, store, events } = setup();
    await service.register(request(), peerA);
    expect((await service.deregister('r1', peerA)).code).toBe('2.02');
    expect(await store.getByEndpoint('dev1')).toBeUndefined();
    expect(events.at(-1)).toEqual(['deregistered', expect.objectContaining({ reason: 'deregistered' })]);
  });

  describe('authorization by security identity', () => {
    const secure = () => {
      const securityStore = new InMemorySecurityStore([
        { endpoint: 'dev1', psk: { identity: 'dev1-id', key: new Uint8Array([1, 2]) } },
        { endpoint: 'dev2', x509: true },
      ]);
      return setup({ authorizer: new SecurityStoreAuthorizer(securityStore) });
    };

    it('admits the matching PSK identity and X.509 CN, refuses others with 4.03', async () => {
      const { service, store } = secure();
      const psk = makePeer('10.0.0.1', 1, { kind: 'psk', identity: 'dev1-id' });
      expect((await service.register(request(), psk)).code).toBe('2.01');
      const x509 = makePeer('10.0.0.3', 1, { kind: 'x509', subject: 'CN=dev2,O=Acme', certificate: new Uint8Array() });
      expect((await service.register(request({ endpoint: 'dev2' }), x509)).code).toBe('2.01');
      const wrong = makePeer('10.0.0.4', 1, { kind: 'psk', identity: 'other' });
      const denied = await service.register(request(), wrong);
      expect(denied.code).toBe('4.03');
      expect((await service.register(request(), peerA)).code).toBe('4.03');
      expect((await service.register(request({ endpoint: 'dev3' }), wrong)).code).toBe('4.03');
      expect((await store.getByEndpoint('dev1'))?.peer).toBe(psk);
    });

    it('refuses Update / De-register from another identity', async () => {
      const { service } = secure();
      const psk = makePeer('10.0.0.1', 1, { kind: 'psk', identity: 'dev1-id' });
      await service.register(request(), psk);
      expect((await service.update({ registrationId: 'r1' }, peerA)).code).toBe('4.03');
      expect((await service.deregister('r1', peerA)).code).toBe('4.03');
      const moved = makePeer('10.9.9.9', 2, { kind: 'psk', identity: 'dev1-id' });
      expect((await service.update({ registrationId: 'r1' }, moved)).code).toBe('2.04');
    });

    it('unsecured clients may be refused entirely', async () => {
      const authorizer = new SecurityStoreAuthorizer(new InMemorySecurityStore(), { allowUnsecured: false });
      const { service } = setup({ authorizer });
      expect((await service.register(request(), peerA)).code).toBe('4.03');
    });
  });
});
