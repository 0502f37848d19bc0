import type { Redis } from 'ioredis';

/** What every Redis store takes. */
export interface RedisStoreOptions {
  readonly redis: Redis;
  /**
   * Key prefix, so several deployments (or tests) share one Redis. Default "lwm2m:". Keep it
   * free of `{}` unless you mean a cluster hash tag.
   */
  readonly prefix?: string;
}

/** For stores that sweep expired entries: only the node holding the lease sweeps. */
export interface SweepingStoreOptions extends RedisStoreOptions {
  /** Sweep lease duration; renewed on every sweep by its holder. Default 5000 ms. */
  readonly sweepLeaseMs?: number;
  /** Lease holder id of this node (default: a random UUID). */
  readonly nodeId?: string;
  /** Entries removed per script call while sweeping (bounds each Redis call). Default 100. */
  readonly sweepBatch?: number;
}

export const DEFAULT_PREFIX = 'lwm2m:';
