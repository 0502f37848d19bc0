/**
 * `ObservationStore` on Redis. An observation is a hash `obs:o:{id}` (j = JSON, reg = its
 * registration id, tok = CoAP token in hex once bound); `obs:reg:{registrationId}` and
 * `obs:ids` are sets of ids and `obs:token` maps tokens to ids, so a notification that reaches
 * any node can be matched to its observation. All index changes are single Lua scripts.
 */
import type { ObservationInfo, ObservationStore } from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { dropOldest } from './bounded-map';
import { RedisScript } from './redis-script';
import { setMembers } from './scan';
import { DEFAULT_PREFIX, type RedisStoreOptions } from './store-options';
import { decodeValue, encodeValue } from './value-codec';

const prelude = `
local P = ARGV[1]
local function drop(id)
  local key = P .. 'obs:o:' .. id
  local f = redis.call('HMGET', key, 'j', 'reg', 'tok')
  if not f[1] then return false end
  redis.call('DEL', key)
  redis.call('SREM', P .. 'obs:ids', id)
  redis.call('SREM', P .. 'obs:reg:' .. f[2], id)
  if f[3] and redis.call('HGET', P .. 'obs:token', f[3]) == id then redis.call('HDEL', P .. 'obs:token', f[3]) end
  return f[1]
end
`;

/** ARGV: prefix, id, registration id, json. */
const addScript = new RedisScript(`${prelude}
local id, reg = ARGV[2], ARGV[3]
drop(id)
redis.call('HSET', P .. 'obs:o:' .. id, 'j', ARGV[4], 'reg', reg)
redis.call('SADD', P .. 'obs:ids', id)
redis.call('SADD', P .. 'obs:reg:' .. reg, id)
return 1
`);

/** ARGV: prefix, id -> JSON or nil. */
const removeScript = new RedisScript(`${prelude}
return drop(ARGV[2])
`);

/** ARGV: prefix, registration id -> JSON of the removed observations. */
const removeByRegistrationScript = new RedisScript(`${prelude}
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'obs:reg:' .. ARGV[2])) do
  local json = drop(id)
  if json then out[#out + 1] = json end
end
redis.call('DEL', P .. 'obs:reg:' .. ARGV[2])
return out
`);

/** ARGV: prefix, registration id -> JSON of its observations. */
const listByRegistrationScript = new RedisScript(`
local P = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'obs:reg:' .. ARGV[2])) do
  local json = redis.call('HGET', P .. 'obs:o:' .. id, 'j')
  if json then out[#out + 1] = json end
end
return out
`);

/** ARGV: prefix, id, token hex -> 1 bound, 0 unknown observation. */
const bindTokenScript = new RedisScript(`
local P, id, tok = ARGV[1], ARGV[2], ARGV[3]
local key = P .. 'obs:o:' .. id
if redis.call('EXISTS', key) == 0 then return 0 end
local old = redis.call('HGET', key, 'tok')
if old and redis.call('HGET', P .. 'obs:token', old) == id then redis.call('HDEL', P .. 'obs:token', old) end
redis.call('HSET', key, 'tok', tok)
redis.call('HSET', P .. 'obs:token', tok, id)
return 1
`);

/** ARGV: prefix, token hex -> JSON or nil. */
const getByTokenScript = new RedisScript(`
local id = redis.call('HGET', ARGV[1] .. 'obs:token', ARGV[2])
if not id then return false end
return redis.call('HGET', ARGV[1] .. 'obs:o:' .. id, 'j')
`);

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const decode = (json: unknown): ObservationInfo | undefined =>
  typeof json === 'string' ? decodeValue<ObservationInfo>(json) : undefined;

/** Observations a node keeps for `readCacheMs`, at most (the oldest go first). */
const READ_CACHE_LIMIT = 10_000;

export interface RedisObservationStoreOptions extends RedisStoreOptions {
  /**
   * How long `get` may answer from this node's memory (ms, default 0: always Redis). Every
   * notification looks its observation up by id; an observation never changes once stored, only
   * its existence does, so a node may trust what it read or wrote for a moment: a removal made by
   * another node is seen here at most this late (removals made through this store at once). The
   * cluster uses 1000, the same bound the server puts on its registration lookups.
   */
  readonly readCacheMs?: number;
}

export class RedisObservationStore implements ObservationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #readCacheMs: number;
  /** id -> the observation and when it was read or written here (only with `readCacheMs`). */
  readonly #recent = new Map<string, { readonly info: ObservationInfo; readonly at: number }>();

  constructor(options: RedisObservationStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#readCacheMs = options.readCacheMs ?? 0;
  }

  #keep(info: ObservationInfo): void {
    if (this.#readCacheMs <= 0) return;
    this.#recent.delete(info.id); // re-inserted last: the map's order is the eviction order
    this.#recent.set(info.id, { info, at: Date.now() });
    if (this.#recent.size > READ_CACHE_LIMIT) dropOldest(this.#recent, READ_CACHE_LIMIT / 10);
  }

  async add(observation: ObservationInfo): Promise<void> {
    await addScript.run(this.#redis, [
      this.#prefix,
      observation.id,
      observation.registrationId,
      encodeValue(observation),
    ]);
    this.#keep(observation);
  }

  async get(id: string): Promise<ObservationInfo | undefined> {
    const recent = this.#recent.get(id);
    if (recent && Date.now() - recent.at < this.#readCacheMs) return recent.info;
    this.#recent.delete(id);
    const info = decode(await this.#redis.hget(`${this.#prefix}obs:o:${id}`, 'j'));
    if (info) this.#keep(info);
    return info;
  }

  async remove(id: string): Promise<ObservationInfo | undefined> {
    this.#recent.delete(id);
    return decode(await removeScript.run(this.#redis, [this.#prefix, id]));
  }

  async listByRegistration(registrationId: string): Promise<ObservationInfo[]> {
    const jsons = (await listByRegistrationScript.run(this.#redis, [this.#prefix, registrationId])) as string[];
    return jsons.map((json) => decodeValue<ObservationInfo>(json));
  }

  async removeByRegistration(registrationId: string): Promise<ObservationInfo[]> {
    const jsons = (await removeByRegistrationScript.run(this.#redis, [this.#prefix, registrationId])) as string[];
    const removed = jsons.map((json) => decodeValue<ObservationInfo>(json));
    for (const observation of removed) this.#recent.delete(observation.id);
    return removed;
  }

  async list(): Promise<ObservationInfo[]> {
    const out: ObservationInfo[] = [];
    for await (const ids of setMembers(this.#redis, `${this.#prefix}obs:ids`)) {
      const pipeline = this.#redis.pipeline();
      for (const id of ids) pipeline.hget(`${this.#prefix}obs:o:${id}`, 'j');
      for (const [error, json] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const observation = decode(json);
        if (observation) out.push(observation);
      }
    }
    return out;
  }

  /**
   * Records the CoAP token an observation's notifications carry (re-binding moves it), so that
   * whichever node receives a notification finds the observation. False when the id is unknown.
   */
  async bindToken(id: string, token: Uint8Array): Promise<boolean> {
    return (await bindTokenScript.run(this.#redis, [this.#prefix, id, hex(token)])) === 1;
  }

  async getByToken(token: Uint8Array): Promise<ObservationInfo | undefined> {
    return decode(await getByTokenScript.run(this.#redis, [this.#prefix, hex(token)]));
  }
}
