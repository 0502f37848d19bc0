/**
 * A short lease in Redis (SET NX PX) that decides which node sweeps expired entries: the
 * holder renews it on every sweep, the others skip; when the holder dies the lease lapses
 * after `leaseMs` and the next node to try takes it over.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script';

const acquire = new RedisScript(`
local key, token, ms = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', key) == token then
  redis.call('PEXPIRE', key, ms)
  return 1
end
if redis.call('SET', key, token, 'NX', 'PX', ms) then return 1 end
return 0
`);

const release = new RedisScript(`
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
`);

export class SweepLease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #leaseMs: number;
  /** Identifies this node as the holder. */
  readonly token: string;

  constructor(redis: Redis, key: string, leaseMs: number, token: string = randomUUID()) {
    this.#redis = redis;
    this.#key = key;
    this.#leaseMs = leaseMs;
    this.token = token;
  }

  /** True when this node holds (or now took, or renewed) the lease. */
  async tryAcquire(): Promise<boolean> {
    return (await acquire.run(this.#redis, [this.#key, this.token, this.#leaseMs])) === 1;
  }

  /** Gives the lease up (only if this node holds it), so another node can sweep at once. */
  async release(): Promise<void> {
    await release.run(this.#redis, [this.#key, this.token]);
  }
}
