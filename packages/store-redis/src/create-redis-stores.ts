/**
 * Every Redis store on one connection: what a server node (or RD node) needs for cluster mode.
 * `serverOptions` spreads straight into `createLwM2mServer`, `bootstrapOptions` into
 * `createBootstrapServer`.
 */
import type { Redis } from 'ioredis';
import { type ConnectRedisOptions, connectRedis } from './connect-redis';
import { RedisBootstrapConfigStore } from './redis-bootstrap-config-store';
import { RedisObservationStore } from './redis-observation-store';
import { RedisRdStore } from './redis-rd-store';
import { RedisRegistrationStore } from './redis-registration-store';
import { RedisRequestQueueStore } from './redis-request-queue-store';
import { RedisSecurityStore } from './redis-security-store';
import { DEFAULT_PREFIX } from './store-options';

export interface CreateRedisStoresOptions extends ConnectRedisOptions {
  /** Key prefix shared by every node of one deployment. Default "lwm2m:". */
  readonly prefix?: string;
  /** This node's id for sweep leases (default: a random UUID). */
  readonly nodeId?: string;
  /** Sweep lease duration (default 5000 ms): how long expiry pauses when the sweeping node dies. */
  readonly sweepLeaseMs?: number;
  /** Attributes the RD store indexes (default ep, d, et, rt, if). */
  readonly rdIndexed?: readonly string[];
  /** Cluster mode: registrations record `nodeId` as the node serving the device (see RedisRegistrationStore). */
  readonly recordOwner?: boolean;
  /** How long an observation read or written here answers `get` from memory (see RedisObservationStore; default 0). */
  readonly observationReadCacheMs?: number;
}

export interface RedisStores {
  readonly redis: Redis;
  readonly registrationStore: RedisRegistrationStore;
  readonly observationStore: RedisObservationStore;
  readonly securityStore: RedisSecurityStore;
  readonly queueStore: RedisRequestQueueStore;
  readonly bootstrapConfigStore: RedisBootstrapConfigStore;
  readonly rdStore: RedisRdStore;
  /** For `createLwM2mServer({ transport, ...stores.serverOptions })`. */
  readonly serverOptions: {
    readonly store: RedisRegistrationStore;
    readonly observationStore: RedisObservationStore;
    readonly queueStore: RedisRequestQueueStore;
    readonly securityStore: RedisSecurityStore;
  };
  /** For `createBootstrapServer({ transport, ...stores.bootstrapOptions })`. */
  readonly bootstrapOptions: {
    readonly configStore: RedisBootstrapConfigStore;
    readonly securityStore: RedisSecurityStore;
  };
  /** Closes the connection (after pending commands are answered). */
  close(): Promise<void>;
}

/** Connects (throwing `RedisUnavailableError` within `connectTimeoutMs`) and builds the stores. */
export async function createRedisStores(options: CreateRedisStoresOptions): Promise<RedisStores> {
  const redis = await connectRedis(options);
  return redisStoresOn(redis, options);
}

/** The stores on a client you already have (e.g. one with Sentinel options). */
export function redisStoresOn(
  redis: Redis,
  options: Omit<CreateRedisStoresOptions, keyof ConnectRedisOptions> = {},
): RedisStores {
  const base = { redis, prefix: options.prefix ?? DEFAULT_PREFIX };
  const sweeping = {
    ...base,
    ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}),
    ...(options.sweepLeaseMs !== undefined ? { sweepLeaseMs: options.sweepLeaseMs } : {}),
  };
  const registrationStore = new RedisRegistrationStore({
    ...sweeping,
    ...(options.recordOwner ? { recordOwner: true } : {}),
  });
  const observationStore = new RedisObservationStore({
    ...base,
    ...(options.observationReadCacheMs !== undefined ? { readCacheMs: options.observationReadCacheMs } : {}),
  });
  const securityStore = new RedisSecurityStore(base);
  const queueStore = new RedisRequestQueueStore(sweeping);
  const bootstrapConfigStore = new RedisBootstrapConfigStore(base);
  const rdStore = new RedisRdStore({ ...base, ...(options.rdIndexed ? { indexed: options.rdIndexed } : {}) });
  return {
    redis,
    registrationStore,
    observationStore,
    securityStore,
    queueStore,
    bootstrapConfigStore,
    rdStore,
    serverOptions: { store: registrationStore, observationStore, queueStore, securityStore },
    bootstrapOptions: { configStore: bootstrapConfigStore, securityStore },
    close: async () => {
      // QUIT waits for pending replies; a Redis that is down would make it wait forever.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
      });
      await Promise.race([redis.quit().catch(() => {}), timeout]);
      clearTimeout(timer);
      redis.disconnect();
    },
  };
}
