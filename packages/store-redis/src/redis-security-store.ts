/**
 * `EditableSecurityStore` on Redis: `sec:data` maps endpoint -> JSON, `sec:psk` PSK identity ->
 * endpoint and `sec:oscore` OSCORE recipient id (hex) -> endpoint, with `sec:psk-of` /
 * `sec:oscore-of` recording which index entries an endpoint owns. A put checks the PSK identity
 * owner and rewrites the indexes in one Lua script, so two nodes cannot both claim an identity.
 * Every put and remove publishes the endpoint on `sec:changed`: with `enableCache`, a node keeps
 * `getByEndpoint` answers (the one read of every Register) and forgets them on that message;
 * `onChange` passes those messages on (e.g. to a node's synchronous PSK index).
 */
import { type EditableSecurityStore, type SecurityInfo, SecurityInfoConflictError } from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script';
import { hashEntries } from './scan';
import { SecurityInfoCache } from './security-cache';
import { DEFAULT_PREFIX, type RedisStoreOptions } from './store-options';
import { decodeValue, encodeValue } from './value-codec';

const prelude = `
local P = ARGV[1]
local function unlink(index, endpoint)
  local value = redis.call('HGET', P .. index .. '-of', endpoint)
  if value then
    if redis.call('HGET', P .. index, value) == endpoint then redis.call('HDEL', P .. index, value) end
    redis.call('HDEL', P .. index .. '-of', endpoint)
  end
end
local function drop(endpoint)
  local json = redis.call('HGET', P .. 'sec:data', endpoint)
  unlink('sec:psk', endpoint)
  unlink('sec:oscore', endpoint)
  redis.call('HDEL', P .. 'sec:data', endpoint)
  return json
end
local function changed(endpoint)
  redis.call('PUBLISH', P .. 'sec:changed', endpoint)
end
`;

/**
 * ARGV: prefix, endpoint, json, has psk (1/0), psk identity, has oscore (1/0), recipient id hex
 * -> {1, previous JSON or nil} or {0, endpoint owning the PSK identity}.
 */
const putScript = new RedisScript(`${prelude}
local endpoint, json, hasPsk, identity, hasOscore, rid = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if hasPsk == '1' then
  local owner = redis.call('HGET', P .. 'sec:psk', identity)
  if owner and owner ~= endpoint then return {0, owner} end
end
local previous = drop(endpoint)
redis.call('HSET', P .. 'sec:data', endpoint, json)
if hasPsk == '1' then
  redis.call('HSET', P .. 'sec:psk', identity, endpoint)
  redis.call('HSET', P .. 'sec:psk-of', endpoint, identity)
end
if hasOscore == '1' then
  redis.call('HSET', P .. 'sec:oscore', rid, endpoint)
  redis.call('HSET', P .. 'sec:oscore-of', endpoint, rid)
end
changed(endpoint)
return {1, previous}
`);

/** ARGV: prefix, endpoint -> removed JSON or nil. */
const removeScript = new RedisScript(`${prelude}
local json = drop(ARGV[2])
if json then changed(ARGV[2]) end
return json
`);

/** ARGV: prefix, index (sec:psk, sec:oscore), value -> JSON or nil. */
const getByIndexScript = new RedisScript(`
local endpoint = redis.call('HGET', ARGV[1] .. ARGV[2], ARGV[3])
if not endpoint then return false end
return redis.call('HGET', ARGV[1] .. 'sec:data', endpoint)
`);

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const decode = (json: unknown): SecurityInfo | undefined =>
  typeof json === 'string' ? decodeValue<SecurityInfo>(json) : undefined;

export class RedisSecurityStore implements EditableSecurityStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  #cache: SecurityInfoCache<SecurityInfo> | undefined;
  readonly #changeListeners = new Set<(endpoint: string | undefined) => void>();

  constructor(options: RedisStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  /**
   * Keeps `getByEndpoint` answers on this node until a put or remove (from any node) publishes a
   * change of that endpoint. `subscriber` becomes the listening connection (e.g. `redis.duplicate()`);
   * `disableCache()` closes it. Only changes made through this class are seen: do not edit the
   * `sec:*` keys by hand while nodes cache.
   */
  async enableCache(subscriber: Redis): Promise<void> {
    const cache = new SecurityInfoCache<SecurityInfo>(subscriber, `${this.#prefix}sec:changed`, (endpoint) => {
      for (const listener of this.#changeListeners) listener(endpoint);
    });
    try {
      await cache.start();
    } catch (error) {
      cache.stop(); // closes the subscriber: no reconnecting connection left behind
      throw error;
    }
    this.#cache = cache;
  }

  /**
   * Hears the endpoint of every put / remove made through any node's `RedisSecurityStore` on this
   * prefix (this node's own too), once `enableCache` has subscribed; `undefined` after the
   * subscriber reconnected (changes may have been missed: re-read everything). Returns an unsubscribe.
   */
  onChange(listener: (endpoint: string | undefined) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** True while `enableCache`'s subscriber is subscribed: no change message can be missed. */
  get changesLive(): boolean {
    return this.#cache?.live ?? false;
  }

  disableCache(): void {
    this.#cache?.stop();
    this.#cache = undefined;
  }

  async getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined> {
    const cache = this.#cache;
    if (!cache) return decode(await this.#redis.hget(`${this.#prefix}sec:data`, endpoint));
    const cached = cache.get(endpoint);
    if (cached !== undefined) return cached ?? undefined;
    const info = await cache.load(endpoint, async () => {
      const json = await this.#redis.hget(`${this.#prefix}sec:data`, endpoint);
      return decode(json) ?? null;
    });
    return info ?? undefined;
  }

  async getByPskIdentity(identity: string): Promise<SecurityInfo | undefined> {
    return decode(await getByIndexScript.run(this.#redis, [this.#prefix, 'sec:psk', identity]));
  }

  async getByOscoreRecipientId(recipientId: Uint8Array): Promise<SecurityInfo | undefined> {
    return decode(await getByIndexScript.run(this.#redis, [this.#prefix, 'sec:oscore', hex(recipientId)]));
  }

  async put(info: SecurityInfo): Promise<{ previous?: SecurityInfo }> {
    if (!info.endpoint) throw new SecurityInfoConflictError('security info needs an endpoint name');
    const [ok, value] = (await putScript.run(this.#redis, [
      this.#prefix,
      info.endpoint,
      encodeValue(info),
      info.psk ? 1 : 0,
      info.psk?.identity ?? '',
      info.oscore ? 1 : 0,
      info.oscore ? hex(info.oscore.recipientId) : '',
    ])) as [number, string | null];
    this.#cache?.forget(info.endpoint);
    if (ok === 0) {
      throw new SecurityInfoConflictError(`PSK identity "${info.psk?.identity}" is already used by "${value}"`);
    }
    const previous = decode(value);
    return previous ? { previous } : {};
  }

  async remove(endpoint: string): Promise<SecurityInfo | undefined> {
    const removed = decode(await removeScript.run(this.#redis, [this.#prefix, endpoint]));
    this.#cache?.forget(endpoint);
    return removed;
  }

  async list(): Promise<SecurityInfo[]> {
    const out: SecurityInfo[] = [];
    for await (const entries of hashEntries(this.#redis, `${this.#prefix}sec:data`)) {
      for (const [, json] of entries) out.push(decodeValue<SecurityInfo>(json));
    }
    return out;
  }
}
