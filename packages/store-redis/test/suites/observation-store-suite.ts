/** The `ObservationStore` contract, run against every implementation (in-memory and Redis). */
import type { ObservationInfo, ObservationStore } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { observation, T0 } from '../fixtures';

const sorted = (list: ObservationInfo[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

export function observationStoreSuite(name: string, createStore: () => Promise<ObservationStore>): void {
  describe(`ObservationStore contract: ${name}`, () => {
    it('adds an observation and gets it back with every field intact', async () => {
      const store = await createStore();
      const o = observation({ id: 'o1', registrationId: 'r1' });
      await store.add(o);
      expect(await store.get('o1')).toStrictEqual(o);
      expect(await store.list()).toStrictEqual([o]);
      expect(await store.listByRegistration('r1')).toStrictEqual([o]);
    });

    it('keeps a single observation without formats minimal', async () => {
      const store = await createStore();
      const o: ObservationInfo = {
        id: 'o2',
        registrationId: 'r1',
        endpoint: 'dev',
        kind: 'single',
        paths: ['/3/0'],
        createdAt: T0,
      };
      await store.add(o);
      expect(await store.get('o2')).toStrictEqual(o);
    });

    it('answers undefined / empty for what is not there', async () => {
      const store = await createStore();
      expect(await store.get('x')).toBeUndefined();
      expect(await store.remove('x')).toBeUndefined();
      expect(await store.list()).toStrictEqual([]);
      expect(await store.listByRegistration('x')).toStrictEqual([]);
      expect(await store.removeByRegistration('x')).toStrictEqual([]);
    });

    it('replaces an observation added again under the same id, moving it between registrations', async () => {
      const store = await createStore();
      await store.add(observation({ id: 'o', registrationId: 'r1' }));
      const moved = observation({ id: 'o', registrationId: 'r2', paths: ['/1/0/1'], kind: 'single' });
      await store.add(moved);
      expect(await store.get('o')).toStrictEqual(moved);
      expect(await store.listByRegistration('r1')).toStrictEqual([]);
      expect(await store.listByRegistration('r2')).toStrictEqual([moved]);
      expect(await store.list()).toStrictEqual([moved]);
    });

    it('lists and removes observations per registration, leaving the others', async () => {
      const store = await createStore();
      const a1 = observation({ id: 'a1', registrationId: 'ra' });
      const a2 = observation({ id: 'a2', registrationId: 'ra', kind: 'single', paths: ['/3/0/9'] });
      const b1 = observation({ id: 'b1', registrationId: 'rb' });
      for (const o of [a1, a2, b1]) await store.add(o);
      expect(sorted(await store.listByRegistration('ra'))).toStrictEqual([a1, a2]);
      expect(sorted(await store.list())).toStrictEqual([a1, a2, b1]);
      expect(sorted(await store.removeByRegistration('ra'))).toStrictEqual([a1, a2]);
      expect(await store.get('a1')).toBeUndefined();
      expect(await store.listByRegistration('ra')).toStrictEqual([]);
      expect(await store.list()).toStrictEqual([b1]);
      expect(await store.removeByRegistration('ra')).toStrictEqual([]);
    });

    it('accepts ids that look like index names', async () => {
      const store = await createStore();
      const odd = ['ids', 'token', 'reg', 'reg:r', 'o:x', ''].map((id) => observation({ id, registrationId: 'ids' }));
      for (const o of odd) await store.add(o);
      for (const o of odd) expect(await store.get(o.id)).toStrictEqual(o);
      expect(sorted(await store.listByRegistration('ids'))).toStrictEqual(sorted(odd));
      expect(sorted(await store.removeByRegistration('ids'))).toStrictEqual(sorted(odd));
      expect(await store.list()).toStrictEqual([]);
    });

    it('removes one observation by id', async () => {
      const store = await createStore();
      const a = observation({ id: 'a', registrationId: 'r' });
      const b = observation({ id: 'b', registrationId: 'r' });
      await store.add(a);
      await store.add(b);
      expect(await store.remove('a')).toStrictEqual(a);
      expect(await store.remove('a')).toBeUndefined();
      expect(await store.listByRegistration('r')).toStrictEqual([b]);
      expect(await store.list()).toStrictEqual([b]);
    });

    it('lists many observations, each once', async () => {
      const store = await createStore();
      const all = Array.from({ length: 1100 }, (_, i) => observation({ id: `o${i}`, registrationId: `r${i % 7}` }));
      await Promise.all(all.map((o) => store.add(o)));
      const listed = await store.list();
      expect(listed.length).toBe(1100);
      expect(sorted(listed)).toStrictEqual(sorted(all));
    });
  });
}
