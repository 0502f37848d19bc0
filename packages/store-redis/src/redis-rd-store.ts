/**
 * `RdStore` on Redis, shared by every Resource Directory node. A registration is a hash
 * `rd:reg:{id}` (j = JSON, name = endpoint/sector key, seq = first-put order); `rd:ik:{id}` lists
 * the index sets `rd:idx:{name}={value}` it is in, `rd:name` maps endpoint/sector to id,
 * `rd:exp` orders ids by expiry and `rd:order` by first put, which gives lookups (and their
 * pages) a stable order. Every change is one Lua script. Expiry needs no lease: removal is
 * atomic, so each expired registration is returned to exactly one node.
 */
import type { Criterion, Registration as RdRegistration, RdStore } from '@lwm2m-ts/rd';
import type { Redis } from 'ioredis';
import { criterionIndexKey, DEFAULT_RD_INDEXED, rdIndexKeys, rdNameKey } from './rd-index-keys';
import { RedisScript } from './redis-script';
import { DEFAULT_PREFIX, type RedisStoreOptions } from './store-options';
import { decodeValue, encodeValue } from './value-codec';

const prelude = `
local P = ARGV[1]
local function drop(id)
  local key = P .. 'rd:reg:' .. id
  local f = redis.call('HMGET', key, 'j', 'name')
  redis.call('ZREM', P .. 'rd:exp', id)
  redis.call('ZREM', P .. 'rd:order', id)
  for _, k in ipairs(redis.call('SMEMBERS', P .. 'rd:ik:' .. id)) do redis.call('SREM', P .. 'rd:idx:' .. k, id) end
  redis.call('DEL', P .. 'rd:ik:' .. id)
  if not f[1] then return false end
  redis.call('DEL', key)
  if redis.call('HGET', P .. 'rd:name', f[2]) == id then redis.call('HDEL', P .. 'rd:name', f[2]) end
  return f[1]
end
`;

/** ARGV: prefix, id, json, name key, expiresAt, index keys... */
const putScript = new RedisScript(`${prelude}
local id, json, name, exp = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local seq = redis.call('HGET', P .. 'rd:reg:' .. id, 'seq')
drop(id)
if not seq then seq = redis.call('INCR', P .. 'rd:seq') end
redis.call('HSET', P .. 'rd:reg:' .. id, 'j', json, 'name', name, 'seq', seq)
redis.call('HSET', P .. 'rd:name', name, id)
for i = 6, #ARGV do
  redis.call('SADD', P .. 'rd:idx:' .. ARGV[i], id)
  redis.call('SADD', P .. 'rd:ik:' .. id, ARGV[i])
end
redis.call('ZADD', P .. 'rd:exp', exp, id)
redis.call('ZADD', P .. 'rd:order', seq, id)
return 1
`);

/** ARGV: prefix, id -> removed JSON or nil. */
const deleteScript = new RedisScript(`${prelude}
return drop(ARGV[2])
`);

/** ARGV: prefix, name key -> JSON or nil. */
const findByNameScript = new RedisScript(`
local id = redis.call('HGET', ARGV[1] .. 'rd:name', ARGV[2])
if not id then return false end
return redis.call('HGET', ARGV[1] .. 'rd:reg:' .. id, 'j')
`);

/** ARGV: prefix, index key -> flat [seq, json, ...] of the members. */
const indexMembersScript = new RedisScript(`
local P = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'rd:idx:' .. ARGV[2])) do
  local f = redis.call('HMGET', P .. 'rd:reg:' .. id, 'seq', 'j')
  if f[2] then
    out[#out + 1] = f[1]
    out[#out + 1] = f[2]
  end
end
return out
`);

/** ARGV: prefix, now, limit -> JSON of removed registrations (expiresAt <= now), earliest first. */
const takeExpiredScript = new RedisScript(`${prelude}
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'rd:exp', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local json = drop(id)
  if json then out[#out + 1] = json end
end
return out
`);

const PAGE = 500;

export interface RedisRdStoreOptions extends RedisStoreOptions {
  /** Attribute names to index (default ep, d, et, rt, if). Every RD node must use the same. */
  readonly indexed?: readonly string[];
  /** Registrations removed per script call by takeExpired. Default 100. */
  readonly sweepBatch?: number;
}

const decode = (json: unknown): RdRegistration | undefined =>
  typeof json === 'string' ? decodeValue<RdRegistration>(json) : undefined;

export class RedisRdStore implements RdStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #indexed: ReadonlySet<string>;
  readonly #batch: number;

  constructor(options: RedisRdStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#indexed = new Set(options.indexed ?? DEFAULT_RD_INDEXED);
    this.#batch = options.sweepBatch ?? 100;
  }

  async get(id: string): Promise<RdRegistration | undefined> {
    return decode(await this.#redis.hget(`${this.#prefix}rd:reg:${id}`, 'j'));
  }

  async findByName(ep: string, d: string | undefined): Promise<RdRegistration | undefined> {
    return decode(await findByNameScript.run(this.#redis, [this.#prefix, rdNameKey(ep, d)]));
  }

  async put(r: RdRegistration): Promise<void> {
    await putScript.run(this.#redis, [
      this.#prefix,
      r.id,
      encodeValue(r),
      rdNameKey(r.ep, r.d),
      r.expiresAt,
      ...rdIndexKeys(r, this.#indexed),
    ]);
  }

  async delete(id: string): Promise<RdRegistration | undefined> {
    return decode(await deleteScript.run(this.#redis, [this.#prefix, id]));
  }

  /** From the smallest applicable index set when a criterion has one, else every registration; in first-put order. */
  async candidates(criteria: readonly Criterion[]): Promise<Iterable<RdRegistration>> {
    const keys = [...new Set(criteria.flatMap((c) => criterionIndexKey(c, this.#indexed) ?? []))];
    if (keys.length === 0) return this.#all();
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.scard(`${this.#prefix}rd:idx:${key}`);
    const sizes = ((await pipeline.exec()) ?? []).map(([error, n]) => {
      if (error) throw error;
      return n as number;
    });
    let best = 0;
    for (let i = 0; i < sizes.length; i++) if (sizes[i]! < sizes[best]!) best = i;
    if (sizes[best] === 0) return [];
    const flat = (await indexMembersScript.run(this.#redis, [this.#prefix, keys[best]!])) as string[];
    const found: { seq: number; r: RdRegistration }[] = [];
    for (let i = 0; i < flat.length; i += 2) found.push({ seq: Number(flat[i]), r: decodeValue(flat[i + 1]!) });
    return found.sort((a, b) => a.seq - b.seq).map((x) => x.r);
  }

  /** Every registration in first-put order, read page by page (ZRANGEBYSCORE with LIMIT). */
  async #all(): Promise<RdRegistration[]> {
    const out: RdRegistration[] = [];
    let after = '-inf';
    for (;;) {
      const page = await this.#redis.zrangebyscore(
        `${this.#prefix}rd:order`,
        after,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        0,
        PAGE,
      );
      if (page.length === 0) return out;
      const pipeline = this.#redis.pipeline();
      for (let i = 0; i < page.length; i += 2) pipeline.hget(`${this.#prefix}rd:reg:${page[i]}`, 'j');
      for (const [error, json] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const r = decode(json);
        if (r) out.push(r);
      }
      after = `(${page[page.length - 1]}`;
      if (page.length < 2 * PAGE) return out;
    }
  }

  async takeExpired(now: number): Promise<RdRegistration[]> {
    const out: RdRegistration[] = [];
    for (;;) {
      const batch = (await takeExpiredScript.run(this.#redis, [this.#prefix, now, this.#batch])) as string[];
      for (const json of batch) out.push(decodeValue<RdRegistration>(json));
      if (batch.length < this.#batch) return out;
    }
  }

  async nextExpiry(): Promise<number | undefined> {
    const [, score] = await this.#redis.zrange(`${this.#prefix}rd:exp`, 0, 0, 'WITHSCORES');
    return score === undefined ? undefined : Number(score);
  }

  async size(): Promise<number> {
    return this.#redis.zcard(`${this.#prefix}rd:exp`);
  }
}
