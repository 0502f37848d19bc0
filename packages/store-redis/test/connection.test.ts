/** Connection behaviour: a bounded failure at start, and carrying on across a Redis restart. */
import { describe, expect, it } from 'vitest';
import { connectRedis } from '../src/connect-redis';
import { createRedisStores } from '../src/create-redis-stores';
import { RedisUnavailableError } from '../src/redis-unavailable-error';
import { observation, registration } from './fixtures';
import { freePort } from './redis-server';
import { useRedis } from './use-redis';

describe('Redis unreachable at start', () => {
  it('rejects with RedisUnavailableError within the connect timeout, not a hang', async () => {
    const port = await freePort(); // nothing listens there
    const started = Date.now();
    const error = await connectRedis({ url: `redis://:secret@127.0.0.1:${port}`, connectTimeoutMs: 600 }).catch(
      (e) => e,
    );
    const elapsed = Date.now() - started;
    expect(RedisUnavailableError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain('secret');
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(3000);
  });

  it('createRedisStores fails the same way', async () => {
    const port = await freePort();
    await expect(createRedisStores({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 })).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
  });

  it('rejects a URL that is not a Redis URL clearly', async () => {
    await expect(connectRedis({ url: 'redis://127.0.0.1:notaport', connectTimeoutMs: 300 })).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
  });
});

const redis = useRedis('Redis restart', { durable: true });
if (redis) {
  describe('Redis restarted mid-run', () => {
    it('the client reconnects, data written before survives, and operations carry on', async () => {
      const stores = await createRedisStores({
        url: redis.server().url,
        prefix: redis.newPrefix(),
        connectTimeoutMs: 3000,
      });
      try {
        const before = registration({ id: 'before', endpoint: 'before' });
        await stores.registrationStore.add(before);
        await stores.observationStore.add(observation({ id: 'o', registrationId: 'before' }));
        await redis.server().restart();
        // Scripts are gone after a restart (NOSCRIPT): the store reloads them transparently.
        expect(await stores.registrationStore.getByEndpoint('before')).toStrictEqual(before);
        const after = registration({ id: 'after', endpoint: 'after' });
        await stores.registrationStore.add(after);
        expect((await stores.registrationStore.list()).map((r) => r.id).sort()).toStrictEqual(['after', 'before']);
        expect(await stores.observationStore.removeByRegistration('before')).toHaveLength(1);
      } finally {
        await stores.close();
      }
    });

    it('commands issued while Redis is down complete once it is back', async () => {
      const stores = await createRedisStores({
        url: redis.server().url,
        prefix: redis.newPrefix(),
        connectTimeoutMs: 3000,
      });
      try {
        await redis.server().kill();
        const pending = stores.registrationStore.add(registration({ id: 'during', endpoint: 'during' }));
        await new Promise((r) => setTimeout(r, 300));
        await redis.server().restart();
        await expect(pending).resolves.toStrictEqual({});
        expect((await stores.registrationStore.getById('during'))?.endpoint).toBe('during');
      } finally {
        await stores.close();
      }
    });
  });
}
