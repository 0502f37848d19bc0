import { MemoryRdStore } from '@lwm2m-ts/rd';
import { describe, expect, it } from 'vitest';
import { RedisRdStore } from '../src/redis-rd-store';
import { rdRegistration, rdStoreSuite } from './suites/rd-store-suite';
import { useRedis } from './use-redis';

rdStoreSuite('in-memory', async () => new MemoryRdStore());

const redis = useRedis('RedisRdStore');
if (redis) {
  rdStoreSuite('redis', async () => new RedisRdStore(await redis.store()));

  describe('RedisRdStore across nodes', () => {
    it('each expired registration is taken by exactly one node', async () => {
      const options = await redis.store();
      const nodeA = new RedisRdStore({ ...options, sweepBatch: 7 });
      const nodeB = new RedisRdStore({ redis: await redis.client(), prefix: options.prefix, sweepBatch: 7 });
      for (let i = 0; i < 100; i++) await nodeA.put(rdRegistration(`x${i}`, { expiresAt: i }));
      const [a, b] = await Promise.all([nodeA.takeExpired(99), nodeB.takeExpired(99)]);
      const taken = [...a, ...b].map((r) => r.id).sort();
      expect(taken).toStrictEqual(Array.from({ length: 100 }, (_, i) => `x${i}`).sort());
      expect(await nodeB.size()).toBe(0);
    });

    it('indexes only the attributes it is told to', async () => {
      const store = new RedisRdStore({ ...(await redis.store()), indexed: ['ep'] });
      await store.put(rdRegistration('1', { links: [{ href: '/a', attributes: [{ name: 'rt', value: 'temp' }] }] }));
      await store.put(rdRegistration('2'));
      // rt is not indexed: every registration is a candidate.
      expect([...(await store.candidates([{ name: 'rt', value: 'temp' }]))].map((r) => r.id)).toStrictEqual(['1', '2']);
      expect([...(await store.candidates([{ name: 'ep', value: 'ep-2' }]))].map((r) => r.id)).toStrictEqual(['2']);
    });
  });
}
