/**
 * `RegistrationStore` on Redis, shared by every server node: indexes by id, endpoint, address
 * (peer key) and security identity, kept consistent by Lua scripts; updates are compare-and-set
 * on a per-registration version, so concurrent Updates from two nodes both land, in some order,
 * and never corrupt an index. Expiry is a sorted set swept by the node holding the sweep lease.
 */
import type { PeerIdentity } from '@lwm2m-ts/coap';
import { identityKey } from '@lwm2m-ts/rd';
import {
  applyRegistrationUpdate,
  type Registration,
  type RegistrationStore,
  type RegistrationUpdate,
  registrationExpiresAt,
} from '@lwm2m-ts/server';
import type { Redis } from 'ioredis';
import { addScript, getByIndexScript, removeScript, takeExpiredScript, updateScript } from './registration-scripts';
import { zsetMembers } from './scan';
import { StoreDataError } from './store-data-error';
import { DEFAULT_PREFIX, type SweepingStoreOptions } from './store-options';
import { SweepLease } from './sweep-lease';
import { decodeValue, encodeValue } from './value-codec';

/** Compare-and-set attempts before an update gives up (only reached under absurd contention). */
const MAX_UPDATE_ATTEMPTS = 100;

const decode = (json: unknown): Registration | undefined =>
  typeof json === 'string' ? decodeValue<Registration>(json) : undefined;

export class RedisRegistrationStore implements RegistrationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lease: SweepLease;
  readonly #batch: number;

  constructor(options: SweepingStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#lease = new SweepLease(
      this.#redis,
      `${this.#prefix}reg:sweep-lease`,
      options.sweepLeaseMs ?? 5000,
      options.nodeId,
    );
    this.#batch = options.sweepBatch ?? 100;
  }

  #fields(registration: Registration): [string, string, string, number] {
    return [
      encodeValue(registration),
      registration.peer.key,
      identityKey(registration.peer.identity) ?? '',
      registrationExpiresAt(registration),
    ];
  }

  async add(registration: Registration): Promise<{ previous?: Registration }> {
    const [json, addr, ident, exp] = this.#fields(registration);
    const previous = decode(
      await addScript.run(this.#redis, [this.#prefix, registration.id, registration.endpoint, json, addr, ident, exp]),
    );
    return previous ? { previous } : {};
  }

  async update(
    id: string,
    update: RegistrationUpdate,
  ): Promise<{ previous: Registration; updated: Registration } | undefined> {
    const key = `${this.#prefix}reg:r:${id}`;
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const [json, version] = await this.#redis.hmget(key, 'j', 'v');
      if (json == null || version == null) return undefined;
      const previous = decodeValue<Registration>(json);
      const updated = applyRegistrationUpdate(previous, update);
      const [newJson, addr, ident, exp] = this.#fields(updated);
      const result = await updateScript.run(this.#redis, [this.#prefix, id, version, newJson, addr, ident, exp]);
      if (result === 1) return { previous, updated };
      if (result === -1) return undefined;
    }
    throw new StoreDataError(`registration ${id}: update lost ${MAX_UPDATE_ATTEMPTS} races in a row`);
  }

  async remove(id: string): Promise<Registration | undefined> {
    return decode(await removeScript.run(this.#redis, [this.#prefix, id]));
  }

  async getById(id: string): Promise<Registration | undefined> {
    return decode(await this.#redis.hget(`${this.#prefix}reg:r:${id}`, 'j'));
  }

  async getByEndpoint(endpoint: string): Promise<Registration | undefined> {
    return decode(await getByIndexScript.run(this.#redis, [this.#prefix, 'reg:ep', endpoint]));
  }

  /** The registration last seen at this transport address (`peer.key`). */
  async getByAddress(peerKey: string): Promise<Registration | undefined> {
    return decode(await getByIndexScript.run(this.#redis, [this.#prefix, 'reg:addr', peerKey]));
  }

  /** The registration of the client that proved this security identity. */
  async getByIdentity(identity: PeerIdentity): Promise<Registration | undefined> {
    const key = identityKey(identity);
    return key === undefined
      ? undefined
      : decode(await getByIndexScript.run(this.#redis, [this.#prefix, 'reg:ident', key]));
  }

  async list(): Promise<Registration[]> {
    const out: Registration[] = [];
    for await (const ids of zsetMembers(this.#redis, `${this.#prefix}reg:exp`)) {
      const pipeline = this.#redis.pipeline();
      for (const id of ids) pipeline.hget(`${this.#prefix}reg:r:${id}`, 'j');
      for (const [error, json] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const registration = decode(json);
        if (registration) out.push(registration);
      }
    }
    return out;
  }

  /**
   * Removes what expired, if this node holds the sweep lease; other nodes get `[]` (their
   * expired registrations are swept, and reported, by the holder).
   */
  async removeExpired(now: number, graceMs: number): Promise<Registration[]> {
    if (!(await this.#lease.tryAcquire())) return [];
    const out: Registration[] = [];
    for (;;) {
      const batch = (await takeExpiredScript.run(this.#redis, [this.#prefix, now - graceMs, this.#batch])) as string[];
      for (const json of batch) out.push(decodeValue<Registration>(json));
      if (batch.length < this.#batch) return out;
    }
  }

  /** Number of registrations. */
  async size(): Promise<number> {
    return this.#redis.zcard(`${this.#prefix}reg:exp`);
  }
}
