/** The `RdStore` contract, run against every implementation (MemoryRdStore and Redis). */
import type { Link } from '@lwm2m-ts/codec';
import { type Criterion, type RdStore, type Registration, registrationMatches } from '@lwm2m-ts/rd';
import { describe, expect, it } from 'vitest';

export const rdRegistration = (id: string, over: Partial<Registration> = {}): Registration => ({
  id,
  location: ['rd', id],
  ep: `ep-${id}`,
  d: undefined,
  base: 'coap://[2001:db8::3]:5683',
  baseExplicit: false,
  lt: 90,
  attributes: [],
  links: [],
  owner: undefined,
  registeredAt: 1000,
  updatedAt: 1000,
  expiresAt: 91_000,
  ...over,
});

const link = (href: string, rt?: string, iface?: string): Link => ({
  href,
  attributes: [
    ...(rt ? [{ name: 'rt', value: rt, quoted: true }] : []),
    ...(iface ? [{ name: 'if', value: iface, quoted: true }] : []),
  ],
});

const ids = async (store: RdStore, criteria: Criterion[]) => [...(await store.candidates(criteria))].map((r) => r.id);

export function rdStoreSuite(name: string, createStore: () => Promise<RdStore>): void {
  describe(`RdStore contract: ${name}`, () => {
    it('puts a registration and finds it by id and by name, every field intact', async () => {
      const store = await createStore();
      const r = rdRegistration('1', {
        d: 'factory',
        baseExplicit: true,
        attributes: [
          { name: 'et', value: 'oic.d.sensor' },
          { name: 'flag', value: true },
          { name: '$x', value: '"q"', quoted: true },
        ],
        links: [link('/temp', 'temperature', 'sensor'), { href: '/obs', attributes: [{ name: 'obs', value: true }] }],
        owner: 'psk:dev-1',
      });
      await store.put(r);
      expect(await store.get('1')).toStrictEqual(r);
      expect(await store.findByName('ep-1', 'factory')).toStrictEqual(r);
      expect(await store.findByName('ep-1', undefined)).toBeUndefined();
      expect(await store.size()).toBe(1);
    });

    it('keeps undefined sector and owner as they were', async () => {
      const store = await createStore();
      const r = rdRegistration('2');
      await store.put(r);
      const back = await store.get('2');
      expect(back).toStrictEqual(r);
      expect(Object.keys(back!)).toContain('d');
      expect(await store.findByName('ep-2', undefined)).toStrictEqual(r);
    });

    it('answers undefined / empty for what is not there', async () => {
      const store = await createStore();
      expect(await store.get('x')).toBeUndefined();
      expect(await store.findByName('x', undefined)).toBeUndefined();
      expect(await store.delete('x')).toBeUndefined();
      expect(await ids(store, [])).toStrictEqual([]);
      expect(await store.takeExpired(1e15)).toStrictEqual([]);
      expect(await store.nextExpiry()).toBeUndefined();
      expect(await store.size()).toBe(0);
    });

    it('answers exact-value criteria from an index, kept right across replace and delete', async () => {
      const store = await createStore();
      await store.put(rdRegistration('1', { links: [link('/a', 'temp'), link('/b', 'light lux')] }));
      await store.put(
        rdRegistration('2', { d: 'x', links: [link('/c', 'temp')], attributes: [{ name: 'et', value: 'box' }] }),
      );
      await store.put(rdRegistration('3', { links: [link('/d', 'other', 'core.s')] }));
      expect(await ids(store, [{ name: 'rt', value: 'temp' }])).toStrictEqual(['1', '2']);
      expect(await ids(store, [{ name: 'rt', value: 'lux' }])).toStrictEqual(['1']);
      expect(await ids(store, [{ name: 'if', value: 'core.s' }])).toStrictEqual(['3']);
      expect(await ids(store, [{ name: 'et', value: 'box' }])).toStrictEqual(['2']);
      expect(await ids(store, [{ name: 'd', value: 'x' }])).toStrictEqual(['2']);
      expect(await ids(store, [{ name: 'ep', value: 'ep-3' }])).toStrictEqual(['3']);
      expect(await ids(store, [{ name: 'rt', value: 'nothing' }])).toStrictEqual([]);
      expect(
        await ids(store, [
          { name: 'rt', value: 'temp' },
          { name: 'd', value: 'x' },
        ]),
      ).toStrictEqual(['2']);
      await store.put(rdRegistration('1', { links: [link('/a', 'humidity')] }));
      expect(await ids(store, [{ name: 'rt', value: 'temp' }])).toStrictEqual(['2']);
      expect(await ids(store, [{ name: 'rt', value: 'humidity' }])).toStrictEqual(['1']);
      expect((await store.delete('2'))?.id).toBe('2');
      expect(await ids(store, [{ name: 'rt', value: 'temp' }])).toStrictEqual([]);
      expect(await store.findByName('ep-2', 'x')).toBeUndefined();
      expect(await store.size()).toBe(2);
    });

    it('returns a superset of the matches for any criteria, in a stable order', async () => {
      const store = await createStore();
      const all = Array.from({ length: 30 }, (_, i) =>
        rdRegistration(`r${i}`, {
          d: i % 3 === 0 ? 'sector' : undefined,
          links: [link(`/l${i}`, i % 2 ? 'temp' : 'light lux', i % 5 ? 'sensor' : undefined)],
        }),
      );
      for (const r of all) await store.put(r);
      const queries: Criterion[][] = [
        [],
        [{ name: 'rt', value: 'temp' }],
        [{ name: 'rt', value: 'light lux' }],
        [{ name: 'rt', value: 'li*' }],
        [{ name: 'd', value: true }],
        [
          { name: 'if', value: 'sensor' },
          { name: 'rt', value: 'lux' },
        ],
        [{ name: 'href', value: '/l1*' }],
      ];
      for (const q of queries) {
        const got = await ids(store, q);
        for (const r of all) if (registrationMatches(r, q)) expect(got).toContain(r.id);
        expect(await ids(store, q)).toStrictEqual(got);
      }
      // First-put order survives a replace.
      await store.put({ ...all[0]!, lt: 5 });
      expect((await ids(store, []))[0]).toBe('r0');
    });

    it('takes exactly what expired, earliest first, also after lifetimes changed', async () => {
      const store = await createStore();
      await store.put(rdRegistration('a', { expiresAt: 10 }));
      await store.put(rdRegistration('b', { expiresAt: 20 }));
      await store.put(rdRegistration('c', { expiresAt: 15 }));
      await store.put(rdRegistration('a', { expiresAt: 30 })); // refreshed
      expect(await store.nextExpiry()).toBe(15);
      expect((await store.takeExpired(14)).map((r) => r.id)).toStrictEqual([]);
      expect((await store.takeExpired(20)).map((r) => r.id)).toStrictEqual(['c', 'b']);
      expect(await store.nextExpiry()).toBe(30);
      expect(await store.get('b')).toBeUndefined();
      expect(await store.size()).toBe(1);
      expect((await store.takeExpired(30)).map((r) => r.id)).toStrictEqual(['a']);
      expect(await store.nextExpiry()).toBeUndefined();
    });

    it('takes more expired registrations than one batch', async () => {
      const store = await createStore();
      for (let i = 0; i < 230; i++) await store.put(rdRegistration(`e${i}`, { expiresAt: i }));
      expect((await store.takeExpired(1000)).map((r) => r.id)).toStrictEqual(
        Array.from({ length: 230 }, (_, i) => `e${i}`),
      );
      expect(await store.size()).toBe(0);
    });
  });
}
