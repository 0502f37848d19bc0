/**
 * The cluster's event writes on a real Redis (the connection coalesces a turn's writes into one
 * socket write: store-redis tests that); event entries say their type and endpoint, so a node parses only what a subscriber here
 * wants, and takes its own events back as the objects it published. Redis on 27597.
 */
import { connectRedis } from '@lwm2m-ts/store-redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterEventHub } from '../src/cluster/event-fanout';
import { StreamReader } from '../src/cluster/stream-reader';
import type { ApiEvent } from '../src/events/api-event';
import { waitFor } from './app-harness';
import { RedisServerProcess, requireRedisServer } from './cluster-harness';

const REDIS_PORT = 27597;

if (requireRedisServer('cluster write path')) {
  describe('cluster write path', () => {
    let server: RedisServerProcess;
    let redis: Redis;
    const readers: StreamReader[] = [];
    beforeAll(async () => {
      server = await RedisServerProcess.start({ port: REDIS_PORT });
      redis = await connectRedis({ url: server.url });
    }, 20_000);
    afterAll(async () => {
      for (const r of readers) await r.stop();
      redis?.disconnect();
      await server?.stop();
    });

    /** A hub of node `nodeId` reading the stream on its own connection. */
    async function hub(prefix: string, nodeId: string, onRemote = vi.fn()) {
      const h = new ClusterEventHub({ redis, prefix, nodeId, onRemoteEvent: onRemote });
      const reader = new StreamReader(redis.duplicate(), { blockMs: 100 });
      readers.push(reader);
      h.attach(reader);
      await reader.start();
      return h;
    }

    it('entries carry type and endpoint; other nodes learn of them without a subscriber, own events come back as published', async () => {
      const prefix = 'we1:';
      const remoteSeen = vi.fn();
      const a = await hub(prefix, 'a');
      const b = await hub(prefix, 'b', remoteSeen);
      const atA: { event: ApiEvent; id?: string }[] = [];
      const atB: { event: ApiEvent; id?: string }[] = [];
      a.subscribe({}, (event, id) => atA.push({ event, ...(id ? { id } : {}) }));
      b.subscribe({ endpoint: 'dev-2' }, (event, id) => atB.push({ event, ...(id ? { id } : {}) }));
      const one: ApiEvent = { type: 'awake', endpoint: 'dev-1' };
      const two: ApiEvent = { type: 'sleeping', endpoint: 'dev-2' };
      a.publish(one);
      a.publish(two);
      await waitFor(() => (atA.length === 2 && atB.length === 1) || undefined, 5000);
      expect(atA[0]!.event).toBe(one); // the object itself: not parsed back from JSON
      expect(atA[1]!.event).toBe(two);
      expect(atB[0]!.event).toEqual(two);
      expect(atB[0]!.id).toBe(atA[1]!.id);
      expect(remoteSeen.mock.calls).toEqual([
        ['awake', 'dev-1', 'a'],
        ['sleeping', 'dev-2', 'a'],
      ]);
      const [, fields] = (await redis.xrange(`${prefix}cluster:events`, '-', '+'))[0]!;
      expect(fields.slice(0, 2)).toEqual(['node', 'a']);
      expect(fields.slice(4)).toEqual(['t', 'awake', 'ep', 'dev-1', 'e', JSON.stringify(one)]);
      // A replay filtered by endpoint returns only that endpoint's events.
      expect((await b.replay('0', { endpoint: 'dev-2' })).map((r) => r.event)).toEqual([two]);
    });

    it('entries of other writers: without type and endpoint the JSON decides; malformed ones are skipped', async () => {
      const prefix = 'we2:';
      const remoteSeen = vi.fn();
      const b = await hub(prefix, 'b', remoteSeen);
      const seen: ApiEvent[] = [];
      b.subscribe({}, (event) => seen.push(event));
      const stream = `${prefix}cluster:events`;
      await redis.xadd(stream, '*', 'node', 'old', 'e', '{"type":"awake","endpoint":"x"}');
      await redis.xadd(stream, '*', 'node', 'evil', 'e', 'not json');
      await redis.xadd(stream, '*', 'node', 'evil', 't', 'no-such-type', 'ep', 'x', 'e', '{');
      await redis.xadd(stream, '*', 'node', 'evil', 't', 'awake', 'ep', 'x', 'e', '[1');
      await redis.xadd(
        stream,
        '*',
        'node',
        'b',
        's',
        'zzzz.1',
        't',
        'awake',
        'ep',
        'y',
        'e',
        '{"type":"awake","endpoint":"y"}',
      );
      await waitFor(() => seen.length === 2 || undefined, 5000);
      await new Promise((r) => setTimeout(r, 300)); // nothing else arrives
      // Another process with this node id (s not ours) is parsed like any entry.
      expect(seen).toEqual([
        { type: 'awake', endpoint: 'x' },
        { type: 'awake', endpoint: 'y' },
      ]);
      expect(remoteSeen.mock.calls).toEqual([
        ['awake', 'x', 'old'],
        ['awake', 'x', 'evil'],
      ]);
    });
  });
}
