/**
 * One node of a server cluster on Redis: the shared stores (store-redis), the heartbeat, device
 * ownership, forwarding of REST calls to a device's owner, and the cluster-wide event stream.
 * `startServerApp({ redis })` builds it, hands its stores to the servers, `watch`es each server
 * and attaches the HTTP API; `close()` leaves the cluster (the node disappears at once).
 */

import type { CoapLwM2mServer, Registration } from '@lwm2m-ts/server';
import { createRedisStores, RedisSecurityStore, type RedisStores } from '@lwm2m-ts/store-redis';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ClusterEventHub } from './event-fanout';
import { ForwardingRpc } from './forwarding-rpc';
import { addHttpForwarding, serveForwarded } from './http-forwarding';
import { type ClusterNodeInfo, NodeRegistry } from './node-registry';
import { Ownership } from './ownership';
import { StreamReader } from './stream-reader';

export interface ClusterOptions {
  /** `redis://host:port[/db]`. */
  readonly redisUrl: string;
  /** This node's name, unique in the cluster (default: a random one). */
  readonly nodeId: string;
  /** Key prefix shared by every node of the cluster (default "lwm2m:"). */
  readonly prefix?: string;
  /** How long to wait for Redis at start (ms, default 5000): then `RedisUnavailableError`. */
  readonly connectTimeoutMs?: number;
  readonly heartbeatMs?: number;
  /** A node silent for this long is dead (default 5 heartbeats). */
  readonly nodeTtlMs?: number;
  /** Wait for a forwarded request's answer when the request names no timeout (ms). */
  readonly forwardTimeoutMs?: number;
  /** Entries the event stream keeps for replay (approximate, default 10 000). */
  readonly eventStreamLength?: number;
  readonly logger?: FastifyBaseLogger;
}

export class ClusterNode {
  readonly nodeId: string;
  readonly stores: RedisStores;
  /** Bootstrap-server credentials, kept apart from the LwM2M server's. */
  readonly bootstrapSecurityStore: RedisSecurityStore;
  readonly hub: ClusterEventHub;
  readonly ownership: Ownership;
  readonly registry: NodeRegistry;
  readonly #rpc: ForwardingRpc;
  readonly #reader: StreamReader;
  readonly #servers: CoapLwM2mServer[] = [];
  readonly #options: ClusterOptions;
  #http: FastifyInstance | undefined;
  #stopLostFeed: (() => void) | undefined;

  private constructor(options: ClusterOptions, stores: RedisStores) {
    this.#options = options;
    this.nodeId = options.nodeId;
    this.stores = stores;
    const prefix = options.prefix ?? 'lwm2m:';
    const onError = (where: string) => (error: unknown) => options.logger?.warn({ err: error }, `cluster: ${where}`);
    this.bootstrapSecurityStore = new RedisSecurityStore({ redis: stores.redis, prefix: `${prefix}bs:` });
    this.ownership = new Ownership(stores.registrationStore, options.nodeId);
    this.registry = new NodeRegistry({
      redis: stores.redis,
      prefix,
      nodeId: options.nodeId,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.nodeTtlMs !== undefined ? { nodeTtlMs: options.nodeTtlMs } : {}),
      onError: onError('heartbeat failed'),
    });
    this.hub = new ClusterEventHub({
      redis: stores.redis,
      prefix,
      nodeId: options.nodeId,
      ...(options.eventStreamLength !== undefined ? { maxLength: options.eventStreamLength } : {}),
      onError: onError('event stream'),
    });
    this.#rpc = new ForwardingRpc({
      redis: stores.redis,
      prefix,
      nodeId: options.nodeId,
      handler: (body, from) => this.#serve(body, from),
      onError: onError('forwarded request failed'),
    });
    const blocking = stores.redis.duplicate();
    // Connection errors of the blocking reader show up as failed reads (reported below), not as unhandled events.
    blocking.on('error', () => {});
    this.#reader = new StreamReader(blocking, { onError: onError('stream read failed (retrying)') });
    this.#rpc.attach(this.#reader);
  }

  /** Connects (RedisUnavailableError when Redis does not answer), starts reading and heartbeating. */
  static async start(options: ClusterOptions): Promise<ClusterNode> {
    // Failed attempts before the first connection end in one RedisUnavailableError, not a log line each.
    let connected = false;
    const stores = await createRedisStores({
      url: options.redisUrl,
      prefix: options.prefix ?? 'lwm2m:',
      nodeId: options.nodeId,
      recordOwner: true,
      // Each notification looks up its observation: trusted for 1 s, like the server's registration lookups.
      observationReadCacheMs: 1000,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      onError: (error) => {
        if (connected) options.logger?.warn({ err: error }, 'cluster: Redis connection error (reconnecting)');
      },
    });
    connected = true;
    const node = new ClusterNode(options, stores);
    try {
      // Register authorizes against the security store: answered from memory, kept fresh by
      // the change messages every node's writes publish (one Redis round trip less per Register).
      const subscriber = stores.redis.duplicate();
      subscriber.on('error', () => {}); // its outages show as cache misses, not as events
      await stores.securityStore.enableCache(subscriber);
      // The bootstrap server's credentials too: its change messages keep every node's PSK index current.
      const bootstrapSubscriber = stores.redis.duplicate();
      bootstrapSubscriber.on('error', () => {});
      await node.bootstrapSecurityStore.enableCache(bootstrapSubscriber);
      // Devices this node stops serving (taken over, or removed elsewhere) are announced to it alone.
      const lostFeed = stores.redis.duplicate();
      lostFeed.on('error', () => {});
      node.#stopLostFeed = await stores.registrationStore.followLostDevices(
        lostFeed,
        (registrationId, endpoint) => node.#lostDevice(registrationId, endpoint),
        () => node.ownership.forgetAll(), // messages may have been missed: claim again on traffic
      );
      await node.#reader.start();
      await node.registry.start();
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  /** Follows a server's registrations: who owns each device, and taking over after a failover. */
  watch(server: CoapLwM2mServer): void {
    this.#servers.push(server);
    const fail = (error: unknown) => this.#options.logger?.warn({ err: error }, 'cluster: ownership update failed');
    const resume = (registration: Registration, from: string) =>
      server
        .resumeObservations(registration)
        .then((resumed) =>
          this.#options.logger?.info(
            { endpoint: registration.endpoint, from, observations: resumed },
            'cluster: took over a device',
          ),
        )
        .catch(fail);
    /** Traffic other than Register / Update (a Send, a notification) after a failover: claim the device. */
    const claim = (registration: Registration) => {
      this.ownership
        .claimIfNew(registration.endpoint)
        .then((previous) => {
          if (previous !== undefined) return resume(registration, previous);
        })
        .catch(fail);
    };
    // A Register or Update written through this node recorded it as the owner in the same script.
    server.events.on('registered', ({ registration }) => this.ownership.recorded(registration.endpoint));
    server.events.on('updated', ({ registration }) => {
      this.ownership.recorded(registration.endpoint);
      const previous = this.stores.registrationStore.takeoverOf(registration.id);
      if (previous !== undefined) resume(registration, previous);
    });
    server.events.on('send', ({ registration }) => claim(registration));
    server.events.on('notification', ({ observation }) => {
      if (this.ownership.ownsLocally(observation.endpoint)) return;
      server
        .getRegistrationById(observation.registrationId)
        .then((registration) => registration && claim(registration))
        .catch(fail);
    });
    server.events.on('deregistered', ({ registration, reason }) => {
      if (reason !== 'replaced') this.ownership.ended(registration.endpoint);
    });
    server.events.on('expired', ({ registration }) => this.ownership.ended(registration.endpoint));
  }

  /** Serves forwarded requests through `app` and forwards the ones other nodes own (before listen). */
  attachHttp(app: FastifyInstance): void {
    this.#http = app;
    addHttpForwarding(app, {
      ownership: this.ownership,
      registry: this.registry,
      rpc: this.#rpc,
      forwardTimeoutMs: this.#options.forwardTimeoutMs ?? 30_000,
    });
  }

  /** Announces the API's URL in the heartbeat. */
  async listening(httpUrl: string): Promise<void> {
    this.registry.http = httpUrl;
    await this.registry.beat();
  }

  /** Live nodes and how many devices each owns. */
  async nodes(): Promise<ClusterNodeInfo[]> {
    const live = await this.registry.liveNodes();
    const counts = await this.ownership.deviceCounts(live.map((n) => n.id));
    return live.map((n) => ({
      id: n.id,
      devices: counts.get(n.id) ?? 0,
      lastSeen: n.lastSeen,
      ...(n.http ? { http: n.http } : {}),
    }));
  }

  async close(): Promise<void> {
    this.#rpc.close();
    await this.registry.stop().catch(() => undefined);
    await this.#reader.stop();
    await this.hub.close();
    this.#stopLostFeed?.();
    this.stores.securityStore.disableCache();
    this.bootstrapSecurityStore.disableCache();
    await this.stores.close();
  }

  async #serve(body: string, from: string): Promise<string> {
    const app = this.#http;
    if (!app)
      return JSON.stringify({
        status: 503,
        contentType: 'application/json',
        body: '{"error":"starting","message":"node is starting"}',
      });
    return serveForwarded(app, body, from);
  }

  /** Another node took the device, or its registration was removed elsewhere: stop serving it here. */
  #lostDevice(registrationId: string, endpoint: string): void {
    if (!this.ownership.lost(endpoint)) return;
    for (const server of this.#servers) server.releaseObservations(registrationId);
  }
}
