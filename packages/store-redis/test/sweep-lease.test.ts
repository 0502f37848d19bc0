import { describe, expect, it } from 'vitest';
import { SweepLease } from '../src/sweep-lease';
import { useRedis } from './use-redis';

const redis = useRedis('SweepLease');
if (redis) {
  describe('SweepLease', () => {
    it('one holder at a time; the holder renews; release or lapse hands it over', async () => {
      const { redis: client, prefix } = await redis.store();
      const key = `${prefix}lease`;
      const a = new SweepLease(client, key, 1000, 'a');
      const b = new SweepLease(await redis.client(), key, 1000, 'b');
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      // Renewing keeps it past the first term.
      for (let i = 0; i < 2; i++) {
        await new Promise((r) => setTimeout(r, 600));
        expect(await a.tryAcquire()).toBe(true);
        expect(await b.tryAcquire()).toBe(false);
      }
      await b.release(); // not the holder: no effect
      expect(await b.tryAcquire()).toBe(false);
      await a.release();
      expect(await b.tryAcquire()).toBe(true);
      expect(await a.tryAcquire()).toBe(false);
      expect(await client.pttl(key)).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await a.tryAcquire()).toBe(true);
    });
  });
}
