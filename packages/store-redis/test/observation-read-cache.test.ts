/**
 * RedisObservationStore `readCacheMs`: `get` answers from the node's memory for that long after a
 * read or write here; removals through this store are seen at once, removals by another node
 * within `readCacheMs`; without the option every `get` reads Redis.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisObservationStore } from '../src/redis-observation-store';
import { observation } from './fixtures';
import { useRedis } from './use-redis';

const redis = useRedis('RedisObservationStore read cache');

if (redis) {
  describe('RedisObservationStore read cache', () => {
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    async function nodes(readCacheMs?: number) {
      const options = await redis!.store();
      const here = new RedisObservationStore({ ...options, ...(readCacheMs !== undefined ? { readCacheMs } : {}) });
      const other = new RedisObservationStore({ redis: await redis!.client(), prefix: options.prefix });
      const reads = vi.spyOn(options.redis, 'hget');
      reads.mockClear();
      return { here, other, reads };
    }

    it('answers from memory for readCacheMs after a write or a read here', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { here, other, reads } = await nodes(1000);
      const o1 = observation({ id: 'o1', registrationId: 'r1' });
      await here.add(o1);
      expect(await here.get('o1')).toStrictEqual(o1);
      expect(reads).not.toHaveBeenCalled();
      const o2 = observation({ id: 'o2', registrationId: 'r1' });
      await other.add(o2);
      expect(await here.get('o2')).toStrictEqual(o2); // read once
      expect(await here.get('o2')).toStrictEqual(o2); // then from memory
      expect(reads).toHaveBeenCalledTimes(1);
      // Removed by the other node: still answered until the time is up, then gone.
      await other.remove('o2');
      expect(await here.get('o2')).toStrictEqual(o2);
      vi.advanceTimersByTime(1000);
      expect(await here.get('o2')).toBeUndefined();
      expect(await here.get('o2')).toBeUndefined(); // an absent one is never kept: read again
      expect(reads).toHaveBeenCalledTimes(3);
    });

    it('removals through this store are seen at once', async () => {
      const { here } = await nodes(60_000);
      await here.add(observation({ id: 'a', registrationId: 'r1' }));
      await here.add(observation({ id: 'b', registrationId: 'r2' }));
      await here.add(observation({ id: 'c', registrationId: 'r2' }));
      await here.remove('a');
      expect(await here.get('a')).toBeUndefined();
      expect((await here.removeByRegistration('r2')).map((o) => o.id).sort()).toEqual(['b', 'c']);
      expect(await here.get('b')).toBeUndefined();
      expect(await here.get('c')).toBeUndefined();
    });

    it('without readCacheMs every get reads Redis', async () => {
      const { here, reads } = await nodes();
      await here.add(observation({ id: 'x', registrationId: 'r1' }));
      await here.get('x');
      await here.get('x');
      expect(reads).toHaveBeenCalledTimes(2);
    });
  });
}
