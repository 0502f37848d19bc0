/** Ownership and membership records in Redis: claims, releases, counts, heartbeats that expire. */
import { connectRedis } from '@lwm2m-ts/store-redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry } from '../src/cluster/node-registry';
import { Ownership } from '../src/cluster/ownership';
import { RedisServerProcess, requireRedisServer } from './cluster-harness';

const REDIS_PORT = 27098;

if (requireRedisServer('cluster ownership records')) {
  describe('cluster records in Redis', () => {
    let server: RedisServerProcess;
    let redis: Redis;
    beforeAll(async () => {
      server = await RedisServerProcess.start({ port: REDIS_PORT });
      redis = await connectRedis({ url: server.url });
    }, 20_000);
    afterAll(async () => {
      redis?.disconnect();
      await server?.stop();
    });

    it('moves a device between owners and keeps the counts exact', async () => {
      const a = new Ownership(redis, 'own1:', 'a');
      const b = new Ownership(redis, 'own1:', 'b');
      expect(await a.claim('d1')).toBeUndefined();
      expect(await a.claim('d2')).toBeUndefined();
      expect(await a.claim('d1')).toBeUndefined(); // already a's
      expect(await b.claim('d1')).toBe('a');
      expect(await a.ownerOf('d1')).toBe('b');
      expect(await a.deviceCounts(['a', 'b', 'c'])).toEqual(
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 0],
        ]),
      );
      await a.release('d1', 'a'); // not a's any more: nothing happens
      expect(await a.ownerOf('d1')).toBe('b');
      await a.release('d1');
      expect(await a.ownerOf('d1')).toBeUndefined();
      expect((await a.deviceCounts(['a', 'b'])).get('b')).toBe(0);
      // claimIfNew trusts the local view: one round trip per device, not per message.
      expect(a.ownsLocally('d2')).toBe(true);
      expect(await a.claimIfNew('d2')).toBeUndefined();
      expect(a.lost('d2')).toBe(true);
      expect(a.ownsLocally('d2')).toBe(false);
    });

    it('lists live nodes only, and forgets a node whose heartbeat expired', async () => {
      const one = new NodeRegistry({
        redis,
        prefix: 'reg1:',
        nodeId: 'one',
        http: 'http://x',
        heartbeatMs: 50,
        nodeTtlMs: 150,
      });
      const two = new NodeRegistry({ redis, prefix: 'reg1:', nodeId: 'two', heartbeatMs: 50, nodeTtlMs: 150 });
      await one.start();
      await two.beat(); // beats once, then dies
      expect((await one.liveNodes()).map((n) => [n.id, n.http])).toEqual([
        ['one', 'http://x'],
        ['two', undefined],
      ]);
      await new Promise((r) => setTimeout(r, 300));
      expect((await one.liveNodes()).map((n) => n.id)).toEqual(['one']);
      expect(await one.isAlive('two')).toBe(false);
      expect(await redis.smembers('reg1:cluster:nodes')).toEqual(['one']);
      // A malformed heartbeat value counts as dead, not as a crash.
      await redis.set('reg1:cluster:node:bad', '{oops', 'PX', 5000);
      await redis.sadd('reg1:cluster:nodes', 'bad');
      expect((await one.liveNodes()).map((n) => n.id)).toEqual(['one']);
      await one.stop();
      expect(await one.liveNodes()).toEqual([]);
    });
  });
}
