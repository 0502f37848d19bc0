/** Two server nodes on one Redis: shared writes, racing updates, one sweeper at a time. */
import type { Registration } from '@lwm2m-ts/server';
import { describe, expect, it, vi } from 'vitest';
import { RedisRegistrationStore } from '../src/redis-registration-store';
import { registration, T0 } from './fixtures';
import { useRedis } from './use-redis';

const redis = useRedis('RedisRegistrationStore cluster');

const peerAt = (port: number, identity = 'dev-psk'): Registration['peer'] => ({
  address: '192.0.2.7',
  port,
  key: `192.0.2.7|${port}`,
  identity: { kind: 'psk', identity },
});

if (redis) {
  async function twoNodes(extra: { sweepLeaseMs?: number } = {}) {
    const options = await redis!.store();
    const a = new RedisRegistrationStore({ ...options, nodeId: 'node-a', ...extra });
    const b = new RedisRegistrationStore({
      redis: await redis!.client(),
      prefix: options.prefix,
      nodeId: 'node-b',
      ...extra,
    });
    return { a, b, prefix: options.prefix, raw: options.redis };
  }

  describe('RedisRegistrationStore across nodes', () => {
    it('each node sees the other’s registers, updates and removals, through every index', async () => {
      const { a, b } = await twoNodes();
      const r = registration({ id: 'r1', endpoint: 'dev', peer: peerAt(5000) });
      await a.add(r);
      expect(await b.getById('r1')).toStrictEqual(r);
      expect(await b.getByEndpoint('dev')).toStrictEqual(r);
      expect(await b.getByAddress('192.0.2.7|5000')).toStrictEqual(r);
      expect(await b.getByIdentity({ kind: 'psk', identity: 'dev-psk' })).toStrictEqual(r);
      const result = await b.update('r1', { peer: peerAt(6000, 'other-psk'), lastUpdate: T0 + 1 });
      expect(await a.getByAddress('192.0.2.7|6000')).toStrictEqual(result?.updated);
      expect(await a.getByAddress('192.0.2.7|5000')).toBeUndefined();
      expect(await a.getByIdentity({ kind: 'psk', identity: 'dev-psk' })).toBeUndefined();
      expect(await a.getByIdentity({ kind: 'psk', identity: 'other-psk' })).toStrictEqual(result?.updated);
      expect(await a.remove('r1')).toStrictEqual(result?.updated);
      expect(await b.list()).toStrictEqual([]);
      expect(await b.getByAddress('192.0.2.7|6000')).toBeUndefined();
    });

    it('racing updates of one registration from two nodes all land and leave exactly one index entry each', async () => {
      const { a, b, prefix, raw } = await twoNodes();
      await a.add(registration({ id: 'hot', endpoint: 'hot-dev', peer: peerAt(1), additionalAttributes: {} }));
      const updates = Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).update('hot', {
          peer: peerAt(1000 + i, `psk-${i}`),
          lastUpdate: T0 + i,
          additionalAttributes: { [`u${i}`]: String(i) },
        }),
      );
      const results = await Promise.all(updates);
      expect(results.every((x) => x !== undefined)).toBe(true);
      const final = (await a.getById('hot'))!;
      // Every update merged (compare-and-set never lost one).
      expect(Object.keys(final.additionalAttributes ?? {}).length).toBe(60);
      expect(await raw.hgetall(`${prefix}reg:addr`)).toStrictEqual({ [final.peer.key]: 'hot' });
      expect(Object.values(await raw.hgetall(`${prefix}reg:ident`))).toStrictEqual(['hot']);
      expect(await b.getByAddress(final.peer.key)).toStrictEqual(final);
    });

    it('racing registers of one endpoint from two nodes leave one registration and consistent indexes', async () => {
      const { a, b, prefix, raw } = await twoNodes();
      const adds = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).add(registration({ id: `id-${i}`, endpoint: 'contested', peer: peerAt(2000 + i) })),
      );
      const results = await Promise.all(adds);
      // Every add but the first replaced exactly one previous registration.
      expect(results.filter((r) => r.previous === undefined)).toHaveLength(1);
      const survivor = (await a.getByEndpoint('contested'))!;
      expect(await b.list()).toStrictEqual([survivor]);
      expect(await raw.zcard(`${prefix}reg:exp`)).toBe(1);
      expect(await raw.hgetall(`${prefix}reg:addr`)).toStrictEqual({ [survivor.peer.key]: survivor.id });
      expect(await raw.hgetall(`${prefix}reg:ep`)).toStrictEqual({ contested: survivor.id });
    });

    it('expiry is swept by exactly one node, the lease holder; another takes over when the lease lapses', async () => {
      const { a, b } = await twoNodes({ sweepLeaseMs: 1000 });
      for (let i = 0; i < 120; i++) await a.add(registration({ id: `x${i}`, endpoint: `x${i}`, lifetime: 1 }));
      const now = T0 + 10_000;
      const [fromA, fromB] = await Promise.all([a.removeExpired(now, 0), b.removeExpired(now, 0)]);
      const swept = [...fromA, ...fromB].map((r) => r.id).sort();
      expect(swept).toStrictEqual(Array.from({ length: 120 }, (_, i) => `x${i}`).sort());
      // Exactly one of them held the lease and did all the work.
      expect([fromA.length, fromB.length].sort((x, y) => x - y)).toStrictEqual([0, 120]);
      const holder = fromA.length ? a : b;
      const other = fromA.length ? b : a;
      await holder.add(registration({ id: 'late', endpoint: 'late', lifetime: 1 }));
      // The holder renews on each sweep: it sweeps again, the other still does not.
      expect(await holder.removeExpired(T0, 0)).toStrictEqual([]);
      expect(await other.removeExpired(now, 0)).toStrictEqual([]);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await other.removeExpired(now, 0)).map((r) => r.id)).toStrictEqual(['late']);
    });

    it('an update racing the sweep either refreshes the registration or finds it gone, never half of each', async () => {
      const { a, b } = await twoNodes();
      for (let i = 0; i < 50; i++) await a.add(registration({ id: `y${i}`, endpoint: `y${i}`, lifetime: 1 }));
      const now = T0 + 5000;
      const [swept, ...updates] = await Promise.all([
        a.removeExpired(now, 0),
        ...Array.from({ length: 50 }, (_, i) => b.update(`y${i}`, { peer: peerAt(i), lastUpdate: now })),
      ]);
      const sweptIds = new Set(swept.map((r) => r.id));
      const listed = new Set((await b.list()).map((r) => r.id));
      for (let i = 0; i < 50; i++) {
        const id = `y${i}`;
        // Refreshed before the sweep looked: alive and not swept; else swept and the update found nothing.
        if (updates[i]) {
          expect(listed.has(id)).toBe(true);
          expect(sweptIds.has(id)).toBe(false);
        } else {
          expect(sweptIds.has(id)).toBe(true);
          expect(listed.has(id)).toBe(false);
        }
        expect(sweptIds.has(id) && listed.has(id)).toBe(false);
      }
    });
  });
  describe('RedisRegistrationStore updates without a read first', () => {
    it('an update after this node read or wrote the registration is one command, not a read and a write', async () => {
      const options = await redis!.store();
      const node = await redis!.client();
      const store = new RedisRegistrationStore({ redis: node, prefix: options.prefix });
      await store.add(registration({ id: 'q1', endpoint: 'q1', peer: peerAt(1) }));
      await store.getById('q1'); // what the registration service does before an Update
      const sent = vi.spyOn(node, 'sendCommand');
      const first = await store.update('q1', { peer: peerAt(2), lastUpdate: T0 + 1 });
      const second = await store.update('q1', { peer: peerAt(3), lastUpdate: T0 + 2 });
      expect(sent.mock.calls.map(([command]) => command.name)).toStrictEqual(['evalsha', 'evalsha']);
      expect(second?.previous).toStrictEqual(first?.updated);
      sent.mockRestore();
      // Another store (node) primes itself the same way.
      const fresh = new RedisRegistrationStore({ redis: node, prefix: options.prefix });
      expect(await fresh.getById('q1')).toStrictEqual(second?.updated);
      const again = vi.spyOn(node, 'sendCommand');
      expect((await fresh.update('q1', { peer: peerAt(4), lastUpdate: T0 + 3 }))?.previous).toStrictEqual(
        second?.updated,
      );
      expect(again.mock.calls.map(([command]) => command.name)).toStrictEqual(['evalsha']);
      again.mockRestore();
    });

    it('a node whose remembered version is stale retries from the value the other node wrote', async () => {
      const { a, b } = await twoNodes();
      await a.add(registration({ id: 's1', endpoint: 's1', peer: peerAt(1), additionalAttributes: {} }));
      await a.getById('s1');
      const fromB = await b.update('s1', { peer: peerAt(1), additionalAttributes: { b: '1' }, lastUpdate: T0 + 1 });
      // a still remembers the registration as it read it: its update must not overwrite b's.
      const fromA = await a.update('s1', { peer: peerAt(9), lastUpdate: T0 + 2 });
      expect(fromA?.previous).toStrictEqual(fromB?.updated);
      expect(fromA?.updated.additionalAttributes).toStrictEqual({ b: '1' });
      expect(await b.getById('s1')).toStrictEqual(fromA?.updated);
    });

    it('a registration removed and added again under the same id is never mistaken for the one remembered', async () => {
      const { a, b } = await twoNodes();
      await a.add(registration({ id: 'same', endpoint: 'old-ep', peer: peerAt(1) }));
      await a.getById('same');
      await b.remove('same');
      const readded = registration({ id: 'same', endpoint: 'new-ep', peer: peerAt(2) });
      await b.add(readded);
      const result = await a.update('same', { peer: peerAt(2), lastUpdate: T0 + 5 });
      expect(result?.previous).toStrictEqual(readded);
      expect(result?.updated.endpoint).toBe('new-ep');
      // Removed elsewhere: the remembered version finds nothing.
      await b.remove('same');
      expect(await a.update('same', { peer: peerAt(2), lastUpdate: T0 + 6 })).toBeUndefined();
    });
  });
}
