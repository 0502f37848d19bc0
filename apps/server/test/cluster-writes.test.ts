/**
 * The cluster's event stream on a real Redis: entries say their type and endpoint, so a node
 * parses only what a subscriber here wants, and takes its own events back as the objects it
 * published; a node reads the stream only while someone here listens. Redis on 27597.
 */
import { connectRedis } from '@lwm2m-ts/store-redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventAppender } from '../src/cluster/event-appender';
import { ClusterEventHub } from '../src/cluster/event-fanout';
import type { ApiEvent } from '../src/events/api-event';
import { waitFor } from './app-harness';
import { RedisServerProcess, requireRedisServer } from './cluster-harness';

const REDIS_PORT = 27597;

if (requireRedisServer('cluster write path')) {
  describe('cluster write path', () => {
    let server: RedisServerProcess;
    let redis: Redis;
    const hubs: ClusterEventHub[] = [];
    beforeAll(async () => {
      server = await RedisServerProcess.start({ port: REDIS_PORT });
      redis = await connectRedis({ url: server.url });
    }, 20_000);
    afterAll(async () => {
      for (const h of hubs) await h.close();
      redis?.disconnect();
      await server?.stop();
    });

    /** Script calls (EVAL + EVALSHA) Redis has answered so far. */
    async function scriptCalls(): Promise<number> {
      const stats = await redis.info('commandstats');
      let total = 0;
      for (const m of stats.matchAll(/cmdstat_(?:eval|evalsha):calls=(\d+)/g)) total += Number(m[1]);
      return total;
    }

    /** A hub of node `nodeId` (it reads the stream on a connection of its own while subscribed). */
    function hub(prefix: string, nodeId: string, idleStopMs = 30_000) {
      const h = new ClusterEventHub({ redis, prefix, nodeId, idleStopMs, reader: { blockMs: 100 } });
      hubs.push(h);
      return h;
    }

    it('entries carry type and endpoint; own events come back as published, others parsed for who wants them', async () => {
      const prefix = 'we1:';
      const a = hub(prefix, 'a');
      const b = hub(prefix, 'b');
      const atA: { event: ApiEvent; id?: string; json?: string }[] = [];
      const atB: { event: ApiEvent; id?: string; json?: string }[] = [];
      a.subscribe({}, (event, id, json) => atA.push({ event, ...(id ? { id } : {}), ...(json ? { json } : {}) }));
      b.subscribe({ endpoint: 'dev-2' }, (event, id, json) =>
        atB.push({ event, ...(id ? { id } : {}), ...(json ? { json } : {}) }),
      );
      await Promise.all([a.whenLive(), b.whenLive()]);
      const one: ApiEvent = { type: 'awake', endpoint: 'dev-1' };
      const two: ApiEvent = { type: 'sleeping', endpoint: 'dev-2' };
      a.publish(one);
      a.publish(two);
      await waitFor(() => (atA.length === 2 && atB.length === 1) || undefined, 5000);
      expect(atA[0]!.event).toBe(one); // the object itself: not parsed back from JSON
      expect(atA[1]!.event).toBe(two);
      expect(atB[0]!.event).toEqual(two);
      expect(atB[0]!.id).toBe(atA[1]!.id);
      // The JSON travels with the event (own: as published; another node's: as stored), not re-serialized.
      expect(atA.map((x) => x.json)).toEqual([JSON.stringify(one), JSON.stringify(two)]);
      expect(atB[0]!.json).toBe(JSON.stringify(two));
      const [, fields] = (await redis.xrange(`${prefix}cluster:events`, '-', '+'))[0]!;
      expect(fields.slice(0, 2)).toEqual(['node', 'a']);
      expect(fields.slice(4)).toEqual(['t', 'awake', 'ep', 'dev-1', 'e', JSON.stringify(one)]);
      // A replay filtered by endpoint returns only that endpoint's events.
      expect((await b.replay('0', { endpoint: 'dev-2' })).map((r) => r.event)).toEqual([two]);
    });

    it('reads only while someone listens: starts on subscribe, stops after the idle time, misses nothing after whenLive', async () => {
      const prefix = 'we3:';
      const a = hub(prefix, 'a');
      const b = hub(prefix, 'b', 150);
      expect(b.reading).toBe(false);
      a.publish({ type: 'awake', endpoint: 'before' }); // nobody on b listens: b reads nothing
      await new Promise((r) => setTimeout(r, 100));
      expect(b.reading).toBe(false);
      const seen: ApiEvent[] = [];
      const unsubscribe = b.subscribe({}, (event) => seen.push(event));
      expect(b.reading).toBe(true);
      await b.whenLive();
      a.publish({ type: 'awake', endpoint: 'after' });
      await waitFor(() => seen.length === 1 || undefined, 5000);
      expect(seen).toEqual([{ type: 'awake', endpoint: 'after' }]); // from its start point on, not before
      unsubscribe();
      expect(b.reading).toBe(true); // runs on for the idle time (a reconnecting client comes back)
      await waitFor(() => !b.reading || undefined, 5000);
      // Live again on the next subscriber, from the stream's end then.
      const again: ApiEvent[] = [];
      b.subscribe({}, (event) => again.push(event));
      await b.whenLive();
      a.publish({ type: 'sleeping', endpoint: 'later' });
      await waitFor(() => again.length === 1 || undefined, 5000);
      expect(again).toEqual([{ type: 'sleeping', endpoint: 'later' }]);
      // whenLive without a subscriber starts reading but does not keep it running.
      const c = hub(prefix, 'c', 100);
      await c.whenLive();
      expect(c.reading).toBe(true);
      await waitFor(() => !c.reading || undefined, 5000);
    });

    it('a reader that fails to start (the key holds another type) is retried while subscribers wait', async () => {
      const prefix = 'we4:';
      await redis.set(`${prefix}cluster:events`, 'not a stream');
      const errors: unknown[] = [];
      const a = new ClusterEventHub({
        redis,
        prefix,
        nodeId: 'a',
        reader: { blockMs: 100 },
        onError: (e) => errors.push(e),
      });
      hubs.push(a);
      const seen: ApiEvent[] = [];
      a.subscribe({}, (event) => seen.push(event));
      await expect(a.whenLive()).rejects.toThrow(/WRONGTYPE/);
      expect(errors.length).toBeGreaterThan(0);
      await redis.del(`${prefix}cluster:events`);
      const b = hub(prefix, 'b');
      // Nobody calls whenLive or subscribes again: only the retry can start a's reader.
      await waitFor(async () => {
        b.publish({ type: 'awake', endpoint: 'retry' });
        await new Promise((r) => setTimeout(r, 100));
        return seen.length > 0 || undefined;
      }, 8000);
      expect(seen[0]).toEqual({ type: 'awake', endpoint: 'retry' });
    });

    it('appends the events of one turn in one script call, in order; a failure reaches every entry of the call', async () => {
      const stream = 'wa1:cluster:events';
      const appender = new EventAppender(redis, 'wa0:cluster:events', 1000);
      // Warm up: the first call on a connection may load the script (EVALSHA, then EVAL).
      appender.append(['n', 'w.0', 'awake', 'w', '{}'], () => {});
      await waitFor(async () => ((await redis.xlen('wa0:cluster:events')) === 1 ? true : undefined), 5000);
      const batched = new EventAppender(redis, stream, 1000);
      const before = await scriptCalls();
      const failures: unknown[] = [];
      for (let i = 0; i < 30; i++) batched.append(['n', `x.${i}`, 'awake', `ep-${i}`, '{}'], (e) => failures.push(e));
      await waitFor(async () => ((await redis.xlen(stream)) === 30 ? true : undefined), 5000);
      expect((await scriptCalls()) - before).toBe(1);
      const entries = await redis.xrange(stream, '-', '+');
      expect(entries.map(([, f]) => f[3])).toEqual(Array.from({ length: 30 }, (_, i) => `x.${i}`));
      expect(entries[0]![1]).toEqual(['node', 'n', 's', 'x.0', 't', 'awake', 'ep', 'ep-0', 'e', '{}']);
      // A stream key of another type: every entry of that call hears the error, nothing crashes.
      const broken = new EventAppender(redis, 'wa2:cluster:events', 1000);
      await redis.set('wa2:cluster:events', 'not a stream');
      broken.append(['n', 'y.1', 'awake', 'a', '{}'], (e) => failures.push(e));
      broken.append(['n', 'y.2', 'awake', 'b', '{}'], (e) => failures.push(e));
      await waitFor(() => (failures.length === 2 ? true : undefined), 5000);
      expect(String(failures[0])).toMatch(/WRONGTYPE/);
    });

    it('entries of other writers: without type and endpoint the JSON decides; malformed ones are skipped', async () => {
      const prefix = 'we2:';
      const b = hub(prefix, 'b');
      const seen: ApiEvent[] = [];
      const texts: (string | undefined)[] = [];
      b.subscribe({}, (event, _id, json) => {
        seen.push(event);
        texts.push(json);
      });
      await b.whenLive();
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
      // Valid JSON with a line break: delivered, but its text is not handed on (SSE is line-based).
      await redis.xadd(stream, '*', 'node', 'c', 't', 'awake', 'ep', 'z', 'e', '{"type":"awake",\n"endpoint":"z"}');
      await waitFor(() => seen.length === 3 || undefined, 5000);
      await new Promise((r) => setTimeout(r, 300)); // nothing else arrives
      // Another process with this node id (s not ours) is parsed like any entry.
      expect(seen).toEqual([
        { type: 'awake', endpoint: 'x' },
        { type: 'awake', endpoint: 'y' },
        { type: 'awake', endpoint: 'z' },
      ]);
      expect(texts).toEqual([undefined, '{"type":"awake","endpoint":"y"}', undefined]);
    });
  });
}
