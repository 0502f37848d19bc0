/**
 * Which node owns a device's flow: the one that last received its Register or Update (or, after a
 * failover, a notification). `cluster:owner` maps endpoint -> node id; `cluster:owned:{node}` is
 * the set of endpoints a node owns, so counting is SCARD, not a scan. Both change in one script.
 */
import type { ChainableCommander, Redis } from 'ioredis';

/** KEYS: owner hash. ARGV: prefix, endpoint, node -> previous owner or false. */
const CLAIM = `
local P, ep, node = ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HGET', KEYS[1], ep)
if old == node then return old end
if old then redis.call('SREM', P .. 'cluster:owned:' .. old, ep) end
redis.call('HSET', KEYS[1], ep, node)
redis.call('SADD', P .. 'cluster:owned:' .. node, ep)
return old
`;

/** KEYS: owner hash. ARGV: prefix, endpoint, node or '' (any owner) -> 1 released, 0 not. */
const RELEASE = `
local P, ep, only = ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HGET', KEYS[1], ep)
if not old or (only ~= '' and old ~= only) then return 0 end
redis.call('HDEL', KEYS[1], ep)
redis.call('SREM', P .. 'cluster:owned:' .. old, ep)
return 1
`;

/**
 * The scripts as ioredis commands: EVALSHA once the connection has the script (EVAL the first
 * time on each connection, so a restarted Redis gets it back), in pipelines too. A claim and a
 * release go out on the node's connection in call order (so a release never overtakes the claim
 * before it), with the other writes of the same turn (`connectRedis` coalesces them).
 */
const CLAIM_COMMAND = 'lwm2mClusterClaim';
const RELEASE_COMMAND = 'lwm2mClusterRelease';
type ScriptCommand = (key: string, ...args: string[]) => unknown;

function scriptCommand(target: Redis | ChainableCommander, name: string): ScriptCommand {
  const command = (target as unknown as Record<string, ScriptCommand | undefined>)[name];
  if (!command) throw new Error(`ioredis command ${name} is not defined on this connection`);
  return command.bind(target);
}

export class Ownership {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly nodeId: string;
  /** Endpoints this node believes it owns (saves a round trip per notification). */
  readonly #mine = new Set<string>();
  constructor(redis: Redis, prefix: string, nodeId: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.nodeId = nodeId;
    redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE });
  }

  get #hash(): string {
    return `${this.#prefix}cluster:owner`;
  }

  /** This node takes the endpoint; resolves with the previous owner (undefined: none or us). */
  async claim(endpoint: string): Promise<string | undefined> {
    this.#mine.add(endpoint);
    const old = (await scriptCommand(this.#redis, CLAIM_COMMAND)(this.#hash, this.#prefix, endpoint, this.nodeId)) as
      | string
      | null;
    return old && old !== this.nodeId ? old : undefined;
  }

  /** Claims only when this node does not already own it (by its own view): one call per device, not per message. */
  async claimIfNew(endpoint: string): Promise<string | undefined> {
    if (this.#mine.has(endpoint)) return undefined;
    return this.claim(endpoint);
  }

  /** Another node took the endpoint (seen on the event stream). */
  lost(endpoint: string): boolean {
    return this.#mine.delete(endpoint);
  }

  ownsLocally(endpoint: string): boolean {
    return this.#mine.has(endpoint);
  }

  /** The registration ended: forget the owner (only if it is still `node`, when given). */
  async release(endpoint: string, node?: string): Promise<void> {
    this.#mine.delete(endpoint);
    await scriptCommand(this.#redis, RELEASE_COMMAND)(this.#hash, this.#prefix, endpoint, node ?? '');
  }

  async ownerOf(endpoint: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#hash, endpoint)) ?? undefined;
  }

  async deviceCounts(nodeIds: readonly string[]): Promise<Map<string, number>> {
    const pipeline = this.#redis.pipeline();
    for (const id of nodeIds) pipeline.scard(`${this.#prefix}cluster:owned:${id}`);
    const results = (await pipeline.exec()) ?? [];
    return new Map(nodeIds.map((id, i) => [id, Number(results[i]?.[1] ?? 0)]));
  }
}
