import { InMemorySecurityStore, SecurityInfoConflictError } from '@lwm2m-ts/server';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSecurityStore } from '../src/redis-security-store';
import { securityInfo } from './fixtures';
import { securityStoreSuite } from './suites/security-store-suite';
import { useRedis } from './use-redis';

securityStoreSuite('in-memory', async () => new InMemorySecurityStore());

const redis = useRedis('RedisSecurityStore');
if (redis) {
  securityStoreSuite('redis', async () => new RedisSecurityStore(await redis.store()));

  // The same behaviour with the node-local cache on (what a cluster node runs).
  const cached: RedisSecurityStore[] = [];
  afterAll(() => {
    for (const store of cached) store.disableCache();
  });
  securityStoreSuite('redis (cached)', async () => {
    const options = await redis.store();
    const store = new RedisSecurityStore(options);
    const subscriber = options.redis.duplicate();
    subscriber.on('error', () => {});
    await store.enableCache(subscriber);
    cached.push(store);
    return store;
  });

  describe('RedisSecurityStore across nodes', () => {
    it('two nodes racing for one PSK identity: exactly one wins', async () => {
      const options = await redis.store();
      const nodeA = new RedisSecurityStore(options);
      const nodeB = new RedisSecurityStore({ redis: await redis.client(), prefix: options.prefix });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? nodeA : nodeB).put(securityInfo(`ep-${i}`, 'contested'))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SecurityInfoConflictError);
      }
      const owner = await nodeB.getByPskIdentity('contested');
      expect((await nodeA.list()).map((i) => i.endpoint)).toStrictEqual([owner?.endpoint]);
    });
  });
}
