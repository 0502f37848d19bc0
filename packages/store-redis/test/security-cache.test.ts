/** Security infos cached per node and forgotten when any node changes them (sec:changed). */
import type { SecurityInfo } from '@lwm2m-ts/server';
import { describe, expect, it, vi } from 'vitest';
import { RedisSecurityStore } from '../src/redis-security-store';
import { SecurityInfoCache } from '../src/security-cache';
import { useRedis } from './use-redis';

const redis = useRedis('RedisSecurityStore cache');

const psk = (endpoint: string, identity = `${endpoint}-id`): SecurityInfo => ({
  endpoint,
  psk: { identity, key: new Uint8Array([1, 2, 3]) },
});

async function eventually<T>(read: () => Promise<T>, want: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 3000;
  for (;;) {
    const value = await read();
    if (want(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (redis) {
  describe('RedisSecurityStore.enableCache', () => {
    async function twoNodes() {
      const { prefix } = await redis!.store();
      const connection = await redis!.client();
      const cached = new RedisSecurityStore({ redis: connection, prefix });
      await cached.enableCache(connection.duplicate());
      const other = new RedisSecurityStore({ redis: await redis!.client(), prefix });
      return { cached, other, connection };
    }

    it('answers again from memory, absent ones too, and forgets what another node changes', async () => {
      const { cached, other, connection } = await twoNodes();
      try {
        expect(await cached.getByEndpoint('dev')).toBeUndefined();
        const sent = vi.spyOn(connection, 'sendCommand');
        expect(await cached.getByEndpoint('dev')).toBeUndefined();
        expect(sent).not.toHaveBeenCalled();
        sent.mockRestore();
        await other.put(psk('dev'));
        expect(await eventually(() => cached.getByEndpoint('dev'), Boolean)).toStrictEqual(psk('dev'));
        await other.put(psk('dev', 'new-id'));
        expect(
          await eventually(
            () => cached.getByEndpoint('dev'),
            (info) => info?.psk?.identity === 'new-id',
          ),
        ).toStrictEqual(psk('dev', 'new-id'));
        await other.remove('dev');
        expect(
          await eventually(
            () => cached.getByEndpoint('dev'),
            (info) => info === undefined,
          ),
        ).toBeUndefined();
      } finally {
        cached.disableCache();
      }
    });

    it('sees its own changes at once, and a refused put leaves the entry as it was', async () => {
      const { cached, other } = await twoNodes();
      try {
        expect(await cached.getByEndpoint('mine')).toBeUndefined();
        await cached.put(psk('mine'));
        expect(await cached.getByEndpoint('mine')).toStrictEqual(psk('mine'));
        await other.put(psk('theirs', 'taken'));
        await expect(cached.put(psk('mine', 'taken'))).rejects.toThrow('already used');
        expect(await cached.getByEndpoint('mine')).toStrictEqual(psk('mine'));
        await cached.remove('mine');
        expect(await cached.getByEndpoint('mine')).toBeUndefined();
      } finally {
        cached.disableCache();
      }
    });

    it('reads Redis while its subscriber is down, and caches again once it is back', async () => {
      const { prefix } = await redis!.store();
      const connection = await redis!.client();
      const subscriber = connection.duplicate();
      const store = new RedisSecurityStore({ redis: connection, prefix });
      await store.enableCache(subscriber);
      const other = new RedisSecurityStore({ redis: await redis!.client(), prefix });
      try {
        expect(await store.getByEndpoint('x')).toBeUndefined();
        subscriber.disconnect(true); // drops the connection; ioredis reconnects
        await eventually(
          async () => subscriber.status,
          (s) => s !== 'ready',
        );
        await other.put(psk('x')); // published while nobody here listens
        expect(await store.getByEndpoint('x')).toStrictEqual(psk('x'));
        await eventually(
          async () => subscriber.status,
          (s) => s === 'ready',
        );
        await new Promise((r) => setTimeout(r, 100)); // its SUBSCRIBE is answered
        expect(await store.getByEndpoint('x')).toStrictEqual(psk('x'));
        const sent = vi.spyOn(connection, 'sendCommand');
        expect(await store.getByEndpoint('x')).toStrictEqual(psk('x'));
        expect(sent).not.toHaveBeenCalled();
        sent.mockRestore();
        await other.remove('x');
        expect(
          await eventually(
            () => store.getByEndpoint('x'),
            (info) => info === undefined,
          ),
        ).toBeUndefined();
      } finally {
        store.disableCache();
      }
    });
  });

  describe('SecurityInfoCache', () => {
    it('does not keep a read that a change overtook', async () => {
      const connection = await redis!.client();
      const channel = `${redis!.newPrefix()}sec:changed`;
      const cache = new SecurityInfoCache<string>(connection.duplicate(), channel);
      await cache.start();
      try {
        let finish: (value: string) => void = () => {};
        const loading = cache.load('a', () => new Promise<string>((resolve) => (finish = resolve)));
        await connection.publish(channel, 'b'); // any change, while the read is out
        await new Promise((r) => setTimeout(r, 100)); // the message arrived
        finish('old');
        expect(await loading).toBe('old');
        expect(cache.get('a')).toBeUndefined();
        expect(await cache.load('a', async () => 'fresh')).toBe('fresh');
        expect(cache.get('a')).toBe('fresh');
        await connection.publish(channel, 'a');
        expect(
          await eventually(
            async () => cache.get('a'),
            (v) => v === undefined,
          ),
        ).toBeUndefined();
      } finally {
        cache.stop();
      }
    });
  });
}
