/** RedisSecurityStore.onChange: every node's puts and removes, and a resync signal after the feed was down. */
import type { SecurityInfo } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { RedisSecurityStore } from '../src/redis-security-store';
import { useRedis } from './use-redis';

const redis = useRedis('RedisSecurityStore.onChange', { port: 27649 });

const psk = (endpoint: string): SecurityInfo => ({
  endpoint,
  psk: { identity: `${endpoint}-id`, key: new Uint8Array([1, 2, 3]) },
});

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (redis) {
  describe('RedisSecurityStore.onChange', () => {
    it("hears another node's and its own changes, not refused puts, and stops on unsubscribe", async () => {
      const { prefix } = await redis.store();
      const connection = await redis.client();
      const here = new RedisSecurityStore({ redis: connection, prefix });
      const heard: (string | undefined)[] = [];
      const unsubscribe = here.onChange((endpoint) => heard.push(endpoint));
      await here.enableCache(connection.duplicate());
      const other = new RedisSecurityStore({ redis: await redis.client(), prefix });
      try {
        await other.put(psk('a'));
        await here.put(psk('b'));
        await other.remove('a');
        await other.remove('never-there'); // nothing removed: nothing published
        await expect(other.put({ ...psk('c'), psk: { identity: 'b-id', key: new Uint8Array([9]) } })).rejects.toThrow(
          'already used',
        );
        await until(() => heard.length >= 3);
        await new Promise((r) => setTimeout(r, 50)); // nothing more on the way
        expect(heard).toEqual(['a', 'b', 'a']);
        unsubscribe();
        await other.put(psk('d'));
        await new Promise((r) => setTimeout(r, 50));
        expect(heard).toEqual(['a', 'b', 'a']);
      } finally {
        here.disableCache();
      }
    });

    it('announces a resync (undefined) once the subscriber is back after a drop', async () => {
      const { prefix } = await redis.store();
      const connection = await redis.client();
      const subscriber = connection.duplicate();
      const here = new RedisSecurityStore({ redis: connection, prefix });
      const heard: (string | undefined)[] = [];
      here.onChange((endpoint) => heard.push(endpoint));
      expect(here.changesLive).toBe(false);
      await here.enableCache(subscriber);
      expect(here.changesLive).toBe(true);
      const other = new RedisSecurityStore({ redis: await redis.client(), prefix });
      try {
        expect(heard).toEqual([]); // the first subscription is no resync
        subscriber.disconnect(true); // ioredis reconnects and subscribes again
        await until(() => !here.changesLive); // down: readers must not trust what they hold
        await until(() => heard.includes(undefined));
        expect(here.changesLive).toBe(true);
        expect(heard).toEqual([undefined]);
        await other.put(psk('after'));
        await until(() => heard.length === 2);
        expect(heard).toEqual([undefined, 'after']);
      } finally {
        here.disableCache();
      }
      expect(here.changesLive).toBe(false);
    });
  });
}
