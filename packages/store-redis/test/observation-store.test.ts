import { InMemoryObservationStore } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { RedisObservationStore } from '../src/redis-observation-store';
import { observation } from './fixtures';
import { observationStoreSuite } from './suites/observation-store-suite';
import { useRedis } from './use-redis';

observationStoreSuite('in-memory', async () => new InMemoryObservationStore());

const redis = useRedis('RedisObservationStore');
if (redis) {
  observationStoreSuite('redis', async () => new RedisObservationStore(await redis.store()));
  // With the cluster's read cache the same behaviour holds for one store's own writes and removals.
  observationStoreSuite(
    'redis, read cache',
    async () => new RedisObservationStore({ ...(await redis.store()), readCacheMs: 60_000 }),
  );

  describe('RedisObservationStore tokens', () => {
    it('finds an observation by its CoAP token until it is removed or re-bound', async () => {
      const store = new RedisObservationStore(await redis.store());
      const o = observation({ id: 'o', registrationId: 'r' });
      expect(await store.bindToken('o', new Uint8Array([1, 2]))).toBe(false);
      await store.add(o);
      expect(await store.bindToken('o', new Uint8Array([1, 2]))).toBe(true);
      expect(await store.getByToken(new Uint8Array([1, 2]))).toStrictEqual(o);
      expect(await store.bindToken('o', new Uint8Array([0xff]))).toBe(true);
      expect(await store.getByToken(new Uint8Array([1, 2]))).toBeUndefined();
      expect(await store.getByToken(new Uint8Array([0xff]))).toStrictEqual(o);
      await store.removeByRegistration('r');
      expect(await store.getByToken(new Uint8Array([0xff]))).toBeUndefined();
    });

    it('a second node sees observations the first one added', async () => {
      const options = await redis.store();
      const nodeA = new RedisObservationStore(options);
      const nodeB = new RedisObservationStore({ redis: await redis.client(), prefix: options.prefix });
      const o = observation({ id: 'shared', registrationId: 'r' });
      await nodeA.add(o);
      expect(await nodeB.listByRegistration('r')).toStrictEqual([o]);
      expect(await nodeB.remove('shared')).toStrictEqual(o);
      expect(await nodeA.get('shared')).toBeUndefined();
    });
  });
}
