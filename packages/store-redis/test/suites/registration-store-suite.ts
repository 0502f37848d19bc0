/** The `RegistrationStore` contract, run against every implementation (in-memory and Redis). */
import type { Registration, RegistrationStore } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { registration, T0 } from '../fixtures';

const byId = (a: Registration, b: Registration) => a.id.localeCompare(b.id);

export function registrationStoreSuite(name: string, createStore: () => Promise<RegistrationStore>): void {
  describe(`RegistrationStore contract: ${name}`, () => {
    it('adds a registration and finds it by id, by endpoint and in the list, every field intact', async () => {
      const store = await createStore();
      const r = registration({ id: 'r1', endpoint: 'dev-1' });
      expect(await store.add(r)).toStrictEqual({});
      expect(await store.getById('r1')).toStrictEqual(r);
      expect(await store.getByEndpoint('dev-1')).toStrictEqual(r);
      expect(await store.list()).toStrictEqual([r]);
      const found = await store.getById('r1');
      expect(found?.peer.identity).toStrictEqual({ kind: 'rpk', publicKey: new Uint8Array([4, 0, 255, 128, 7]) });
    });

    it('keeps a minimal registration minimal (no optional field appears)', async () => {
      const store = await createStore();
      const r: Registration = {
        id: 'm',
        endpoint: 'minimal',
        lifetime: 86400,
        lwm2mVersion: '1.0',
        binding: 'U',
        queueMode: false,
        peer: { address: '127.0.0.1', port: 5683, key: '127.0.0.1|5683' },
        objectLinks: '',
        registeredAt: T0,
        lastUpdate: T0,
      };
      await store.add(r);
      expect(await store.getById('m')).toStrictEqual(r);
    });

    it('answers undefined / empty for what is not there', async () => {
      const store = await createStore();
      expect(await store.getById('nope')).toBeUndefined();
      expect(await store.getByEndpoint('nope')).toBeUndefined();
      expect(await store.list()).toStrictEqual([]);
      expect(await store.remove('nope')).toBeUndefined();
      expect(await store.update('nope', { peer: registration({ id: 'x', endpoint: 'x' }).peer, lastUpdate: T0 })).toBe(
        undefined,
      );
      expect(await store.removeExpired(T0 + 1e12, 0)).toStrictEqual([]);
    });

    it('replaces the registration of the same endpoint and returns the previous one', async () => {
      const store = await createStore();
      const first = registration({ id: 'a', endpoint: 'dev' });
      const second = registration({ id: 'b', endpoint: 'dev', lifetime: 60 });
      await store.add(first);
      expect(await store.add(second)).toStrictEqual({ previous: first });
      expect(await store.getById('a')).toBeUndefined();
      expect(await store.getById('b')).toStrictEqual(second);
      expect(await store.getByEndpoint('dev')).toStrictEqual(second);
      expect(await store.list()).toStrictEqual([second]);
      // Removing the replaced id is a no-op: the endpoint still belongs to the new registration.
      expect(await store.remove('a')).toBeUndefined();
      expect(await store.getByEndpoint('dev')).toStrictEqual(second);
    });

    it('accepts ids and endpoints that look like anything (index names, separators, unicode)', async () => {
      const store = await createStore();
      const odd = ['ep', 'exp', 'addr', 'ident', 'sweep-lease', 'r:x', '', 'é😀 \n|'];
      const rs = odd.map((x, i) => registration({ id: x, endpoint: `${x}#${i}` }));
      for (const r of rs) await store.add(r);
      for (const r of rs) {
        expect(await store.getById(r.id)).toStrictEqual(r);
        expect(await store.getByEndpoint(r.endpoint)).toStrictEqual(r);
      }
      expect((await store.list()).length).toBe(odd.length);
      for (const r of rs) expect(await store.remove(r.id)).toStrictEqual(r);
      expect(await store.list()).toStrictEqual([]);
    });

    it('keeps registrations of different endpoints apart', async () => {
      const store = await createStore();
      const rs = ['a', 'b', 'c'].map((x) => registration({ id: `id-${x}`, endpoint: `ep-${x}` }));
      for (const r of rs) await store.add(r);
      expect((await store.list()).sort(byId)).toStrictEqual(rs);
      for (const r of rs) expect(await store.getByEndpoint(r.endpoint)).toStrictEqual(r);
    });

    it('applies an update and returns previous and updated values', async () => {
      const store = await createStore();
      const r = registration({ id: 'u', endpoint: 'dev-u', smsNumber: undefined });
      const { smsNumber: _drop, ...withoutSms } = r;
      await store.add(withoutSms);
      const peer = {
        address: '10.0.0.9',
        port: 40000,
        key: '10.0.0.9|40000',
        identity: { kind: 'psk', identity: 'id-u' },
      } as const;
      const result = await store.update('u', {
        lifetime: 120,
        binding: 'T',
        objectLinks: '</3/0>',
        additionalAttributes: { extra: '1', 'x-tenant': 'other' },
        peer,
        lastUpdate: T0 + 5000,
      });
      const updated: Registration = {
        ...withoutSms,
        lifetime: 120,
        binding: 'T',
        objectLinks: '</3/0>',
        additionalAttributes: { $b: 'not a tag', 'x-tenant': 'other', empty: '', extra: '1' },
        peer,
        lastUpdate: T0 + 5000,
      };
      expect(result).toStrictEqual({ previous: withoutSms, updated });
      expect(await store.getById('u')).toStrictEqual(updated);
      expect(await store.getByEndpoint('dev-u')).toStrictEqual(updated);
    });

    it('removes by id, after which nothing finds it', async () => {
      const store = await createStore();
      const r = registration({ id: 'rm', endpoint: 'dev-rm' });
      await store.add(r);
      expect(await store.remove('rm')).toStrictEqual(r);
      expect(await store.getById('rm')).toBeUndefined();
      expect(await store.getByEndpoint('dev-rm')).toBeUndefined();
      expect(await store.list()).toStrictEqual([]);
      expect(await store.remove('rm')).toBeUndefined();
    });

    it('removes exactly the registrations whose lifetime plus grace ended before now', async () => {
      const store = await createStore();
      const short = registration({ id: 's', endpoint: 'short', lifetime: 10 }); // expires T0+10 s
      const long = registration({ id: 'l', endpoint: 'long', lifetime: 1000 });
      await store.add(short);
      await store.add(long);
      // At the expiry instant itself the registration is still alive.
      expect(await store.removeExpired(T0 + 10_000, 0)).toStrictEqual([]);
      // Grace keeps it alive longer.
      expect(await store.removeExpired(T0 + 12_000, 5_000)).toStrictEqual([]);
      expect(await store.removeExpired(T0 + 15_001, 5_000)).toStrictEqual([short]);
      expect(await store.getByEndpoint('short')).toBeUndefined();
      expect(await store.list()).toStrictEqual([long]);
      expect(await store.removeExpired(T0 + 15_001, 5_000)).toStrictEqual([]);
    });

    it('counts lifetime from the last update', async () => {
      const store = await createStore();
      const r = registration({ id: 'e', endpoint: 'ext', lifetime: 10 });
      await store.add(r);
      await store.update('e', { peer: r.peer, lastUpdate: T0 + 8_000 });
      expect(await store.removeExpired(T0 + 12_000, 0)).toStrictEqual([]);
      const expired = await store.removeExpired(T0 + 18_001, 0);
      expect(expired.map((x) => x.id)).toStrictEqual(['e']);
    });

    it('lists many registrations, each once', async () => {
      const store = await createStore();
      const rs = Array.from({ length: 1234 }, (_, i) => registration({ id: `bulk-${i}`, endpoint: `ep-${i}` }));
      await Promise.all(rs.map((r) => store.add(r)));
      const listed = await store.list();
      expect(listed.length).toBe(1234);
      expect(new Set(listed.map((r) => r.id)).size).toBe(1234);
      expect(listed.sort(byId)).toStrictEqual([...rs].sort(byId));
    });
  });
}
