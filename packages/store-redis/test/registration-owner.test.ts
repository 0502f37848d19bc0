/**
 * Owners (cluster mode, `recordOwner`): a Register or Update written through a node records it as
 * the node serving the device, in the same script; a claim moves it; removal, replacement and
 * expiry take the record away with the registration; the counts stay exact throughout.
 */
import { describe, expect, it } from 'vitest';
import { RedisRegistrationStore } from '../src/redis-registration-store';
import { registration, T0 } from './fixtures';
import { useRedis } from './use-redis';

const redis = useRedis('RedisRegistrationStore owners');

if (redis) {
  async function nodes() {
    const options = await redis!.store();
    const a = new RedisRegistrationStore({ ...options, nodeId: 'a', recordOwner: true });
    const b = new RedisRegistrationStore({
      redis: await redis!.client(),
      prefix: options.prefix,
      nodeId: 'b',
      recordOwner: true,
    });
    const plain = new RedisRegistrationStore({ ...options, nodeId: 'p' });
    const counts = async () => Object.fromEntries(await a.ownedCounts(['a', 'b', 'p']));
    return { a, b, plain, counts, prefix: options.prefix };
  }

  describe('RedisRegistrationStore owners', () => {
    it('records the writing node on add and update; an update through another node is a take-over, reported once', async () => {
      const { a, b, counts } = await nodes();
      await a.add(registration({ id: 'r1', endpoint: 'd1' }));
      await a.add(registration({ id: 'r2', endpoint: 'd2' }));
      expect(await b.ownerOf('d1')).toBe('a');
      expect(a.takeoverOf('r1')).toBeUndefined();
      expect(await counts()).toEqual({ a: 2, b: 0, p: 0 });

      const peer = registration({ id: 'r1', endpoint: 'd1' }).peer;
      await a.update('r1', { peer, lastUpdate: T0 + 1 }); // same owner: nothing to report
      expect(a.takeoverOf('r1')).toBeUndefined();
      await b.update('r1', { peer, lastUpdate: T0 + 2 });
      expect(b.takeoverOf('r1')).toBe('a');
      expect(b.takeoverOf('r1')).toBeUndefined(); // once
      expect(await a.ownerOf('d1')).toBe('b');
      expect(await counts()).toEqual({ a: 1, b: 1, p: 0 });
    });

    it('a claim moves the device; an endpoint without a registration is never recorded', async () => {
      const { a, b, counts } = await nodes();
      await a.add(registration({ id: 'r1', endpoint: 'd1' }));
      expect(await b.claimOwner('d1')).toBe('a');
      expect(await b.claimOwner('d1')).toBeUndefined(); // already b's
      expect(await a.claimOwner('d1', 'b')).toBeUndefined(); // on behalf of b: still b's
      expect(await a.ownerOf('d1')).toBe('b');
      expect(await a.claimOwner('nobody')).toBeUndefined();
      expect(await a.ownerOf('nobody')).toBeUndefined();
      expect(await counts()).toEqual({ a: 0, b: 1, p: 0 });
    });

    it('removal, replacement by a new Register and expiry take the record with the registration', async () => {
      const { a, b, counts } = await nodes();
      await a.add(registration({ id: 'r1', endpoint: 'd1' }));
      await a.add(registration({ id: 'r2', endpoint: 'd2', lifetime: 1 }));
      await a.add(registration({ id: 'r3', endpoint: 'd3' }));
      await a.remove('r1');
      expect(await a.ownerOf('d1')).toBeUndefined();
      // d3 registers again through b: the old registration goes, b owns the new one (no take-over to resume).
      await b.add(registration({ id: 'r3b', endpoint: 'd3' }));
      expect(await a.ownerOf('d3')).toBe('b');
      expect(b.takeoverOf('r3b')).toBeUndefined();
      expect(await counts()).toEqual({ a: 1, b: 1, p: 0 });
      const expired = await a.removeExpired(T0 + 10_000, 0);
      expect(expired.map((r) => r.id)).toEqual(['r2']);
      expect(await a.ownerOf('d2')).toBeUndefined();
      expect(await counts()).toEqual({ a: 0, b: 1, p: 0 });
      // A removal of an old registration id that no longer holds the endpoint leaves the owner alone.
      await a.remove('r3');
      expect(await a.ownerOf('d3')).toBe('b');
    });

    it('tells a node each device it stops serving: taken over, replaced, removed or expired elsewhere', async () => {
      const { a, b, prefix } = await nodes();
      const lost: string[] = [];
      const subscriber = await redis!.client();
      const stop = await a.followLostDevices(subscriber, (id, endpoint) => lost.push(`${id} ${endpoint}`));
      const peer = registration({ id: 'r1', endpoint: 'd1' }).peer;
      await a.add(registration({ id: 'r1', endpoint: 'd1' }));
      await a.update('r1', { peer, lastUpdate: T0 + 1 }); // its own writes: nothing
      await b.update('r1', { peer, lastUpdate: T0 + 2 }); // b took it
      await a.add(registration({ id: 'r2', endpoint: 'd 2' })); // endpoint names may hold spaces
      await b.claimOwner('d 2');
      await a.add(registration({ id: 'r3', endpoint: 'd3' }));
      await b.add(registration({ id: 'r3b', endpoint: 'd3' })); // registered again through b
      await a.add(registration({ id: 'r4', endpoint: 'd4', lifetime: 1 }));
      await b.removeExpired(T0 + 10_000, 0); // swept by b
      await a.add(registration({ id: 'r5', endpoint: 'd5' }));
      await b.remove('r5');
      // Messages that are not "id endpoint" (another publisher) are ignored.
      const other = await redis!.client();
      for (const junk of ['garbage', ' d1', 'r1 ', '']) await other.publish(`${prefix}reg:owner-lost:a`, junk);
      const expected = ['r1 d1', 'r2 d 2', 'r3 d3', 'r4 d4', 'r5 d5'];
      const deadline = Date.now() + 3000;
      while (lost.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(lost).toEqual(expected);
      await new Promise((r) => setTimeout(r, 50));
      expect(lost).toEqual(expected);
      stop();
    });

    it('a store without recordOwner records nothing but keeps others’ records straight', async () => {
      const { a, plain, counts } = await nodes();
      await plain.add(registration({ id: 'r1', endpoint: 'd1' }));
      expect(await a.ownerOf('d1')).toBeUndefined();
      await a.add(registration({ id: 'r2', endpoint: 'd2' }));
      const peer = registration({ id: 'r2', endpoint: 'd2' }).peer;
      await plain.update('r2', { peer, lastUpdate: T0 + 1 });
      expect(await a.ownerOf('d2')).toBe('a');
      await plain.remove('r2');
      expect(await counts()).toEqual({ a: 0, b: 0, p: 0 });
    });
  });
}
