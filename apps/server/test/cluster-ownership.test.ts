/** Ownership and membership records in Redis: claims, counts, the node's own view, heartbeats that expire. */
import type { Registration } from '@lwm2m-ts/server';
import { connectRedis, RedisRegistrationStore } from '@lwm2m-ts/store-redis';
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

    it('moves a device between owners, keeps the counts exact, and trusts its own view for steady traffic', async () => {
      const store = (node: string) =>
        new RedisRegistrationStore({ redis, prefix: 'own1:', nodeId: node, recordOwner: true });
      const a = new Ownership(store('a'), 'a');
      const b = new Ownership(store('b'), 'b');
      const device = (endpoint: string): Registration => ({
        id: `r-${endpoint}`,
        endpoint,
        lifetime: 300,
        lwm2mVersion: '1.1',
        binding: 'U',
        queueMode: false,
        peer: { address: '127.0.0.1', port: 1, key: `127.0.0.1|1|${endpoint}` },
        objectLinks: '</3/0>',
        registeredAt: 0,
        lastUpdate: 0,
      });
      const writer = store('a');
      await writer.add(device('d1'));
      await writer.add(device('d2'));
      expect(await b.claim('d1')).toBe('a');
      expect(await a.ownerOf('d1')).toBe('b');
      expect(await a.deviceCounts(['a', 'b', 'c'])).toEqual(
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 0],
        ]),
      );
      expect(await b.claim('unregistered')).toBeUndefined(); // nothing to own
      expect(await a.ownerOf('unregistered')).toBeUndefined();
      // claimIfNew trusts the local view: one round trip per device, not per message.
      a.recorded('d2');
      expect(a.ownsLocally('d2')).toBe(true);
      expect(await a.claimIfNew('d2')).toBeUndefined();
      expect(a.lost('d2')).toBe(true);
      expect(a.ownsLocally('d2')).toBe(false);
      expect(await a.claimIfNew('d1')).toBe('b'); // not in its view: claims
      a.ended('d1');
      expect(a.ownsLocally('d1')).toBe(false);
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
