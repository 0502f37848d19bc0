import { InMemoryRequestQueueStore } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { RedisRequestQueueStore } from '../src/redis-request-queue-store';
import { queued, T0 } from './fixtures';
import { requestQueueStoreSuite } from './suites/request-queue-store-suite';
import { useRedis } from './use-redis';

requestQueueStoreSuite('in-memory', async () => new InMemoryRequestQueueStore());

const redis = useRedis('RedisRequestQueueStore');
if (redis) {
  requestQueueStoreSuite('redis', async () => new RedisRequestQueueStore(await redis.store()));

  describe('RedisRequestQueueStore across nodes', () => {
    it('a request queued on one node is delivered once, from any node, in order', async () => {
      const options = await redis.store();
      const nodeA = new RedisRequestQueueStore(options);
      const nodeB = new RedisRequestQueueStore({ redis: await redis.client(), prefix: options.prefix });
      for (let i = 0; i < 50; i++) await (i % 2 ? nodeA : nodeB).enqueue(queued({ id: `q${i}`, endpoint: 'sleepy' }));
      const shifted = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? nodeA : nodeB).shift('sleepy')));
      const got = shifted.filter((x) => x !== undefined).map((x) => x.id);
      expect(got.sort()).toStrictEqual(Array.from({ length: 50 }, (_, i) => `q${i}`).sort());
    });

    it('only the node holding the sweep lease sweeps; another takes over when it lapses', async () => {
      const options = await redis.store();
      const nodeA = new RedisRequestQueueStore({ ...options, nodeId: 'A', sweepLeaseMs: 1000 });
      const nodeB = new RedisRequestQueueStore({
        redis: await redis.client(),
        prefix: options.prefix,
        nodeId: 'B',
        sweepLeaseMs: 1000,
      });
      await nodeA.enqueue(queued({ id: '1', endpoint: 'e', expiresAt: T0 }));
      expect(ids(await nodeA.removeExpired(T0))).toStrictEqual(['1']);
      await nodeA.enqueue(queued({ id: '2', endpoint: 'e', expiresAt: T0 }));
      expect(await nodeB.removeExpired(T0)).toStrictEqual([]);
      expect(ids(await nodeA.list('e'))).toStrictEqual(['2']);
      await new Promise((r) => setTimeout(r, 1100));
      expect(ids(await nodeB.removeExpired(T0))).toStrictEqual(['2']);
      await nodeA.enqueue(queued({ id: '3', endpoint: 'e', expiresAt: T0 }));
      expect(await nodeA.removeExpired(T0)).toStrictEqual([]);
    });
  });
}

const ids = (items: readonly { id: string }[]) => items.map((i) => i.id);
