/**
 * Cluster membership: each node writes `cluster:node:{id}` (JSON: id, http URL, last beat) with a
 * TTL every `heartbeatMs`, and adds its id to the set `cluster:nodes`. A node whose key expired
 * is dead; listing reads the set and the keys (no SCAN), so it is bounded by the node count.
 */
import type { Redis } from 'ioredis';

export interface ClusterNodeInfo {
  readonly id: string;
  /** Devices whose flow this node owns. */
  readonly devices: number;
  /** Epoch ms of the node's last heartbeat. */
  readonly lastSeen: number;
  /** The node's HTTP API base URL, when it announced one. */
  readonly http?: string;
}

interface Beat {
  readonly id: string;
  readonly at: number;
  readonly http?: string;
}

export interface NodeRegistryOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly nodeId: string;
  readonly http?: string;
  /** Period of the heartbeat (default 1000 ms). */
  readonly heartbeatMs?: number;
  /** A node missing beats for this long is dead (default 5 × heartbeatMs). */
  readonly nodeTtlMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class NodeRegistry {
  readonly #o: NodeRegistryOptions;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #http: string | undefined;

  constructor(options: NodeRegistryOptions) {
    this.#o = options;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#ttlMs = options.nodeTtlMs ?? this.#heartbeatMs * 5;
    this.#http = options.http;
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  #key(id: string): string {
    return `${this.#o.prefix}cluster:node:${id}`;
  }

  /** The HTTP URL is known only once the API listens. */
  set http(url: string) {
    this.#http = url;
  }

  /** One heartbeat now, then one per period (a failed beat is reported; the next one retries). */
  async start(): Promise<void> {
    await this.beat();
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.beat()
          .catch((error) => this.#o.onError?.(error))
          .finally(() => {
            if (this.#timer !== undefined) tick();
          });
      }, this.#heartbeatMs);
      this.#timer.unref();
    };
    tick();
  }

  async beat(): Promise<void> {
    const beat: Beat = { id: this.#o.nodeId, at: Date.now(), ...(this.#http ? { http: this.#http } : {}) };
    // SADD every beat: after a Redis restart without persistence the set comes back by itself.
    await this.#o.redis
      .multi()
      .set(this.#key(this.#o.nodeId), JSON.stringify(beat), 'PX', this.#ttlMs)
      .sadd(`${this.#o.prefix}cluster:nodes`, this.#o.nodeId)
      .exec();
  }

  /** Live nodes (unordered set order sorted by id) with the time of their last beat. */
  async liveNodes(): Promise<{ id: string; lastSeen: number; http?: string }[]> {
    const ids = (await this.#o.redis.smembers(`${this.#o.prefix}cluster:nodes`)).sort();
    if (ids.length === 0) return [];
    const values = await this.#o.redis.mget(ids.map((id) => this.#key(id)));
    const out: { id: string; lastSeen: number; http?: string }[] = [];
    const dead: string[] = [];
    ids.forEach((id, i) => {
      const raw = values[i];
      const beat = raw ? parseBeat(raw) : undefined;
      if (!beat) {
        dead.push(id);
        return;
      }
      out.push({ id, lastSeen: beat.at, ...(beat.http ? { http: beat.http } : {}) });
    });
    // Dead ids leave the set (a node that comes back adds itself again).
    if (dead.length > 0) await this.#o.redis.srem(`${this.#o.prefix}cluster:nodes`, ...dead);
    return out;
  }

  async isAlive(id: string): Promise<boolean> {
    return (await this.#o.redis.exists(this.#key(id))) === 1;
  }

  /** Stops beating and removes this node's key (a clean shutdown is seen at once). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#o.redis
      .multi()
      .del(this.#key(this.#o.nodeId))
      .srem(`${this.#o.prefix}cluster:nodes`, this.#o.nodeId)
      .exec();
  }
}

function parseBeat(raw: string): Beat | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Beat>;
    return typeof value.id === 'string' && typeof value.at === 'number' ? (value as Beat) : undefined;
  } catch {
    return undefined;
  }
}
