/**
 * `RequestQueueStore` on Redis: a queued request is a hash `q:item:{id}` (j = JSON with the
 * request as `requestToJson`, ep = endpoint); `q:ep:{endpoint}` orders an endpoint's ids by a
 * global sequence number (FIFO), `q:exp` orders every id by its own `expiresAt`, and `q:eps`
 * holds the endpoints that have something queued. Expired requests are swept, in bounded
 * batches, by the node holding the sweep lease.
 */
import {
  type JsonValue,
  type QueuedRequest,
  type RequestQueueStore,
  requestFromJson,
  requestToJson,
} from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script';
import { setMembers } from './scan';
import { DEFAULT_PREFIX, type SweepingStoreOptions } from './store-options';
import { SweepLease } from './sweep-lease';
import { decodeValue, encodeValue } from './value-codec';

const prelude = `
local P = ARGV[1]
local function drop(id)
  local key = P .. 'q:item:' .. id
  local f = redis.call('HMGET', key, 'j', 'ep')
  redis.call('ZREM', P .. 'q:exp', id)
  if not f[1] then return false end
  redis.call('DEL', key)
  local list = P .. 'q:ep:' .. f[2]
  redis.call('ZREM', list, id)
  if redis.call('ZCARD', list) == 0 then redis.call('SREM', P .. 'q:eps', f[2]) end
  return f[1]
end
`;

/** ARGV: prefix, id, endpoint, json, expiresAt. */
const enqueueScript = new RedisScript(`${prelude}
local id, ep = ARGV[2], ARGV[3]
drop(id)
local seq = redis.call('INCR', P .. 'q:seq')
redis.call('HSET', P .. 'q:item:' .. id, 'j', ARGV[4], 'ep', ep)
redis.call('ZADD', P .. 'q:ep:' .. ep, seq, id)
redis.call('ZADD', P .. 'q:exp', ARGV[5], id)
redis.call('SADD', P .. 'q:eps', ep)
return seq
`);

/** ARGV: prefix, endpoint -> JSON of its requests, oldest first. */
const listScript = new RedisScript(`
local P = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. 'q:ep:' .. ARGV[2], 0, -1)) do
  local json = redis.call('HGET', P .. 'q:item:' .. id, 'j')
  if json then out[#out + 1] = json end
end
return out
`);

/** ARGV: prefix, endpoint -> JSON of the oldest request (removed) or nil. */
const shiftScript = new RedisScript(`${prelude}
local ids = redis.call('ZRANGE', P .. 'q:ep:' .. ARGV[2], 0, 0)
if #ids == 0 then return false end
return drop(ids[1])
`);

/** ARGV: prefix, id -> removed JSON or nil. */
const removeScript = new RedisScript(`${prelude}
return drop(ARGV[2])
`);

/** ARGV: prefix, endpoint -> JSON of every removed request, oldest first. */
const clearScript = new RedisScript(`${prelude}
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. 'q:ep:' .. ARGV[2], 0, -1)) do
  local json = drop(id)
  if json then out[#out + 1] = json end
end
redis.call('DEL', P .. 'q:ep:' .. ARGV[2])
redis.call('SREM', P .. 'q:eps', ARGV[2])
return out
`);

/** ARGV: prefix, now, limit -> JSON of removed requests with expiresAt <= now. */
const takeExpiredScript = new RedisScript(`${prelude}
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'q:exp', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local json = drop(id)
  if json then out[#out + 1] = json end
end
return out
`);

type StoredRequest = Omit<QueuedRequest, 'request'> & { request: JsonValue };

const encode = (item: QueuedRequest): string => encodeValue({ ...item, request: requestToJson(item.request) });

function decode(json: unknown): QueuedRequest | undefined {
  if (typeof json !== 'string') return undefined;
  const stored = decodeValue<StoredRequest>(json);
  return { ...stored, request: requestFromJson(stored.request) as QueuedRequest['request'] };
}

const decodeAll = (jsons: unknown): QueuedRequest[] => (jsons as string[]).map((json) => decode(json)!);

export class RedisRequestQueueStore implements RequestQueueStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lease: SweepLease;
  readonly #batch: number;

  constructor(options: SweepingStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#lease = new SweepLease(
      this.#redis,
      `${this.#prefix}q:sweep-lease`,
      options.sweepLeaseMs ?? 5000,
      options.nodeId,
    );
    this.#batch = options.sweepBatch ?? 100;
  }

  async enqueue(item: QueuedRequest): Promise<void> {
    await enqueueScript.run(this.#redis, [this.#prefix, item.id, item.endpoint, encode(item), item.expiresAt]);
  }

  async list(endpoint: string): Promise<QueuedRequest[]> {
    return decodeAll(await listScript.run(this.#redis, [this.#prefix, endpoint]));
  }

  async shift(endpoint: string): Promise<QueuedRequest | undefined> {
    return decode(await shiftScript.run(this.#redis, [this.#prefix, endpoint]));
  }

  async remove(id: string): Promise<QueuedRequest | undefined> {
    return decode(await removeScript.run(this.#redis, [this.#prefix, id]));
  }

  async clear(endpoint: string): Promise<QueuedRequest[]> {
    return decodeAll(await clearScript.run(this.#redis, [this.#prefix, endpoint]));
  }

  /** Removes what expired, if this node holds the sweep lease (other nodes get `[]`). */
  async removeExpired(now: number): Promise<QueuedRequest[]> {
    if (!(await this.#lease.tryAcquire())) return [];
    const out: QueuedRequest[] = [];
    for (;;) {
      const batch = (await takeExpiredScript.run(this.#redis, [this.#prefix, now, this.#batch])) as string[];
      out.push(...decodeAll(batch));
      if (batch.length < this.#batch) return out;
    }
  }

  async endpoints(): Promise<string[]> {
    const out: string[] = [];
    for await (const page of setMembers(this.#redis, `${this.#prefix}q:eps`)) out.push(...page);
    return out;
  }
}
