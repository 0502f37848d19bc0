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
import { dropOldest } from './bounded-map';
import {
  addScript,
  claimOwnerScript,
  getByIndexScript,
  removeScript,
  takeExpiredScript,
  updateScript,
} from './registration-scripts';
import { zsetMembers } from './scan';
import { StoreDataError } from './store-data-error';
import { DEFAULT_PREFIX, type SweepingStoreOptions } from './store-options';
import { SweepLease } from './sweep-lease';
import { decodeValue, encodeValue } from './value-codec';

/** Compare-and-set attempts before an update gives up (only reached under absurd contention). */
const MAX_UPDATE_ATTEMPTS = 100;
/**
 * Registrations whose (version, value) a node remembers for its next update. The registration
 * service reads a registration right before updating it, so a short memory is enough; a long one
 * would keep thousands of registrations alive for the garbage collector to trace.
 */
const KNOWN_LIMIT = 1000;

/** Take-overs recorded but not asked for yet, at most (the oldest are forgotten). */
const TAKEOVER_LIMIT = 1000;

export interface RedisRegistrationStoreOptions extends SweepingStoreOptions {
  /**
   * Cluster mode: every add and update made through this store records `nodeId` as the node
   * serving the endpoint's device, in the same script as the write (`ownerOf`, `ownedCounts`).
   */
  readonly recordOwner?: boolean;
}

/** A registration as last read or written by this node, with the version it had then. */
type Known = { readonly registration: Registration; readonly version: string };

const decode = (json: unknown): Registration | undefined =>
  typeof json === 'string' ? decodeValue<Registration>(json) : undefined;

export class RedisRegistrationStore implements RegistrationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lease: SweepLease;
  readonly #batch: number;
  /**
   * The version and value of registrations this node just read or wrote: an update is then one
   * compare-and-set against that version, without reading first. A stale entry costs one retry
   * (the script answers with the current value), never a lost update.
   */
  readonly #known = new Map<string, Known>();
  /** The owner recorded by adds and updates ('' none). */
  readonly #owner: string;
  /** Registration id -> the node this node's last write took its endpoint from. */
  readonly #takeovers = new Map<string, string>();

  constructor(options: RedisRegistrationStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#lease = new SweepLease(
      this.#redis,
      `${this.#prefix}reg:sweep-lease`,
      options.sweepLeaseMs ?? 5000,
      options.nodeId,
    );
    this.#owner = options.recordOwner ? this.#lease.token : '';
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

  #tookOver(id: string, previousOwner: unknown): void {
    if (typeof previousOwner !== 'string') return;
    this.#takeovers.set(id, previousOwner);
    if (this.#takeovers.size > TAKEOVER_LIMIT) dropOldest(this.#takeovers, TAKEOVER_LIMIT / 10);
  }

  #remember(registration: Registration, version: unknown): void {
    const id = registration.id;
    this.#known.delete(id); // re-inserted last: the map's order is the eviction order
    this.#known.set(id, { registration, version: String(version) });
    if (this.#known.size > KNOWN_LIMIT) dropOldest(this.#known, KNOWN_LIMIT / 10);
  }

  async add(registration: Registration): Promise<{ previous?: Registration }> {
    const [json, addr, ident, exp] = this.#fields(registration);
    const reply = await addScript.run(this.#redis, [
      this.#prefix,
      registration.id,
      registration.endpoint,
      json,
      addr,
      ident,
      exp,
      this.#owner,
    ]);
    const [, previousJson] = reply as [number, string | null];
    // Not remembered: its first Update comes a lifetime later (the read before it primes it).
    this.#known.delete(registration.id);
    const previous = decode(previousJson);
    if (previous) this.#known.delete(previous.id);
    return previous ? { previous } : {};
  }

  async update(
    id: string,
    update: RegistrationUpdate,
  ): Promise<{ previous: Registration; updated: Registration } | undefined> {
    let current = this.#known.get(id);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!current) {
        const [json, version] = await this.#redis.hmget(`${this.#prefix}reg:r:${id}`, 'j', 'v');
        if (json == null || version == null) return undefined;
        current = { registration: decodeValue<Registration>(json), version };
      }
      const previous = current.registration;
      const updated = applyRegistrationUpdate(previous, update);
      const [newJson, addr, ident, exp] = this.#fields(updated);
      const reply = (await updateScript.run(this.#redis, [
        this.#prefix,
        id,
        current.version,
        newJson,
        addr,
        ident,
        exp,
        this.#owner,
      ])) as [number, (string | number)?, (string | number | null)?];
      if (reply[0] === 1) {
        this.#remember(updated, reply[1]);
        this.#tookOver(id, reply[2]);
        return { previous, updated };
      }
      if (reply[0] !== 0) {
        this.#known.delete(id);
        return undefined;
      }
      // Another node (or another update here) wrote first: go again from the value it left.
      current = { registration: decodeValue<Registration>(String(reply[1])), version: String(reply[2]) };
    }
    this.#known.delete(id);
    throw new StoreDataError(`registration ${id}: update lost ${MAX_UPDATE_ATTEMPTS} races in a row`);
  }

  async remove(id: string): Promise<Registration | undefined> {
    this.#known.delete(id);
    return decode(await removeScript.run(this.#redis, [this.#prefix, id]));
  }

  async getById(id: string): Promise<Registration | undefined> {
    const [json, version] = await this.#redis.hmget(`${this.#prefix}reg:r:${id}`, 'j', 'v');
    if (json == null) {
      this.#known.delete(id);
      return undefined;
    }
    const registration = decodeValue<Registration>(json);
    if (version != null) this.#remember(registration, version);
    return registration;
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
      for (const json of batch) {
        const registration = decodeValue<Registration>(json);
        this.#known.delete(registration.id);
        out.push(registration);
      }
      if (batch.length < this.#batch) return out;
    }
  }

  /**
   * The node this node's last update of `id` took the endpoint from (once; then undefined), with
   * `recordOwner`: the cluster resumes that device's observations here. (A Register starts a new
   * registration: it has no observations to take over.)
   */
  takeoverOf(id: string): string | undefined {
    const previous = this.#takeovers.get(id);
    this.#takeovers.delete(id);
    return previous;
  }

  /**
   * Records `node` (default: this store's node) as serving the endpoint, if it has a registration;
   * resolves with the previous owner when that was another node.
   */
  async claimOwner(endpoint: string, node: string = this.#lease.token): Promise<string | undefined> {
    const [found, previous] = (await claimOwnerScript.run(this.#redis, [this.#prefix, endpoint, node])) as [
      number,
      string | null | undefined,
    ];
    return found === 1 && typeof previous === 'string' ? previous : undefined;
  }

  /**
   * With `recordOwner`: tells `onLost` about every device this node stops serving (another node
   * took it, or its registration was removed through another node or by expiry), from the
   * `reg:owner-lost:{node}` channel on `subscriber` (a connection of its own, from now on a
   * subscriber). `onResubscribed` runs when the subscriber is back after a drop: messages may have
   * been missed meanwhile. Returns a stop function that closes the subscriber.
   */
  async followLostDevices(
    subscriber: Redis,
    onLost: (registrationId: string, endpoint: string) => void,
    onResubscribed: () => void = () => {},
  ): Promise<() => void> {
    const channel = `${this.#prefix}reg:owner-lost:${this.#lease.token}`;
    let interrupted = false;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const space = message.indexOf(' ');
      if (space <= 0 || space === message.length - 1) return; // not written by our scripts
      onLost(message.slice(0, space), message.slice(space + 1));
    });
    subscriber.on('close', () => {
      interrupted = true;
    });
    // ioredis subscribes again by itself on reconnect.
    subscriber.on('ready', () => {
      if (!interrupted) return;
      interrupted = false;
      onResubscribed();
    });
    await subscriber.subscribe(channel);
    return () => subscriber.disconnect();
  }

  /** The node serving the endpoint's device (cluster mode), if any. */
  async ownerOf(endpoint: string): Promise<string | undefined> {
    return (await this.#redis.hget(`${this.#prefix}reg:owner`, endpoint)) ?? undefined;
  }

  /** How many endpoints each node serves. */
  async ownedCounts(nodes: readonly string[]): Promise<Map<string, number>> {
    const pipeline = this.#redis.pipeline();
    for (const node of nodes) pipeline.scard(`${this.#prefix}reg:owned:${node}`);
    const results = (await pipeline.exec()) ?? [];
    return new Map(nodes.map((node, i) => [node, Number(results[i]?.[1] ?? 0)]));
  }

  /** Number of registrations. */
  async size(): Promise<number> {
    return this.#redis.zcard(`${this.#prefix}reg:exp`);
  }
}
