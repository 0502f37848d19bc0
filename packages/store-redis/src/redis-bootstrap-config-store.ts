/** `BootstrapConfigStore` on Redis: one hash `bs:configs`, endpoint -> configuration JSON. */
import { type BootstrapConfig, type BootstrapConfigStore, validateBootstrapConfig } from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script';
import { hashEntries } from './scan';
import { DEFAULT_PREFIX, type RedisStoreOptions } from './store-options';
import { decodeValue, encodeValue } from './value-codec';

/** ARGV: prefix, endpoint -> removed JSON or nil (read and delete in one step). */
const removeScript = new RedisScript(`
local json = redis.call('HGET', ARGV[1] .. 'bs:configs', ARGV[2])
if json then redis.call('HDEL', ARGV[1] .. 'bs:configs', ARGV[2]) end
return json
`);

const decode = (json: unknown): BootstrapConfig | undefined =>
  typeof json === 'string' ? decodeValue<BootstrapConfig>(json) : undefined;

export class RedisBootstrapConfigStore implements BootstrapConfigStore {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #prefix: string;

  constructor(options: RedisStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#key = `${this.#prefix}bs:configs`;
  }

  async get(endpoint: string): Promise<BootstrapConfig | undefined> {
    return decode(await this.#redis.hget(this.#key, endpoint));
  }

  async put(endpoint: string, config: BootstrapConfig): Promise<void> {
    validateBootstrapConfig(config);
    await this.#redis.hset(this.#key, endpoint, encodeValue(config));
  }

  async remove(endpoint: string): Promise<BootstrapConfig | undefined> {
    return decode(await removeScript.run(this.#redis, [this.#prefix, endpoint]));
  }

  async list(): Promise<[string, BootstrapConfig][]> {
    const out: [string, BootstrapConfig][] = [];
    for await (const entries of hashEntries(this.#redis, this.#key)) {
      for (const [endpoint, json] of entries) out.push([endpoint, decodeValue<BootstrapConfig>(json)]);
    }
    return out;
  }
}
