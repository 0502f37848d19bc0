/**
 * `EditableSecurityStore` on Redis: `sec:data` maps endpoint -> JSON, `sec:psk` PSK identity ->
 * endpoint and `sec:oscore` OSCORE recipient id (hex) -> endpoint, with `sec:psk-of` /
 * `sec:oscore-of` recording which index entries an endpoint owns. A put checks the PSK identity
 * owner and rewrites the indexes in one Lua script, so two nodes cannot both claim an identity.
 */
import { type EditableSecurityStore, type SecurityInfo, SecurityInfoConflictError } from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script';
import { hashEntries } from './scan';
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
return {1, previous}
`);

/** ARGV: prefix, endpoint -> removed JSON or nil. */
const removeScript = new RedisScript(`${prelude}
return drop(ARGV[2])
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

  constructor(options: RedisStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  async getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined> {
    return decode(await this.#redis.hget(`${this.#prefix}sec:data`, endpoint));
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
    if (ok === 0) {
      throw new SecurityInfoConflictError(`PSK identity "${info.psk?.identity}" is already used by "${value}"`);
    }
    const previous = decode(value);
    return previous ? { previous } : {};
  }

  async remove(endpoint: string): Promise<SecurityInfo | undefined> {
    return decode(await removeScript.run(this.#redis, [this.#prefix, endpoint]));
  }

  async list(): Promise<SecurityInfo[]> {
    const out: SecurityInfo[] = [];
    for await (const entries of hashEntries(this.#redis, `${this.#prefix}sec:data`)) {
      for (const [, json] of entries) out.push(decodeValue<SecurityInfo>(json));
    }
    return out;
  }
}
