/**
 * The whole application in-process: LwM2M server (UDP), bootstrap server (UDP), HTTP API with
 * live events and the web UI. `close()` stops everything it started.
 */
import { randomUUID } from 'node:crypto';
import type { MessageLayer, Peer, Transport } from '@lwm2m-ts/coap';
import { createDefaultRegistry, type ModelRegistry } from '@lwm2m-ts/objects';
import { loadDdfDirectory } from '@lwm2m-ts/objects/node';
import {
  type BootstrapConfigStore,
  type CoapBootstrapServer,
  type CoapLwM2mServer,
  createBootstrapServer,
  createLwM2mServer,
  type EditableSecurityStore,
  InMemoryBootstrapConfigStore,
  InMemorySecurityStore,
} from '@lwm2m-ts/server';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../api/auth';
import { buildHttpApi } from '../api/http-api';
import { ClusterNode, type ClusterOptions } from '../cluster/cluster-node';
import { localNodeView } from '../cluster/local-node';
import { CoapMessageLog } from '../events/coap-message-log';
import { EventHub } from '../events/event-hub';
import type { AppContext } from './app-context';
import { createStoreOscoreLayer } from './oscore-layer';
import { type ServerCredentials, startDtlsListener, startTlsListener } from './secure-transports';
import { IndexedSecurityStore, type SecurityChangeFeed } from './security-index';
import { ServerGroup } from './server-group';
import { wireBootstrapEvents, wireServerEvents } from './wire-events';

export interface ServerAppOptions {
  readonly coapHost?: string;
  readonly coapPort?: number;
  /** Bootstrap server; `false` runs none. */
  readonly bootstrap?: boolean;
  readonly bsHost?: string;
  readonly bsPort?: number;
  /** CoAP over DTLS (coaps) for the LwM2M and bootstrap servers; `false` turns both off. Default on. */
  readonly coaps?: boolean;
  readonly coapsHost?: string;
  /** LwM2M server over DTLS (default 5684). */
  readonly coapsPort?: number;
  /** Bootstrap server over DTLS (default 5784; needs the bootstrap server). */
  readonly bsCoapsPort?: number;
  /** @deprecated alias of `coapsHost`. */
  readonly dtlsHost?: string;
  /** @deprecated alias of `coapsPort`. */
  readonly dtlsPort?: number;
  /** The server's certificate / key / raw public key and trusted CAs (PEM text) for DTLS and TLS. */
  readonly credentials?: ServerCredentials;
  /** CoAP over TLS (RFC 8323, `coaps+tcp`); off unless a port is given. */
  readonly tlsHost?: string;
  readonly tlsPort?: number;
  /** CoAP over TCP (RFC 8323) for the LwM2M server; off unless a port is given. */
  readonly tcpHost?: string;
  readonly tcpPort?: number;
  /** CoAP over WebSockets on the HTTP port under /.well-known/coap. */
  readonly coapOverWebSockets?: boolean;
  readonly httpHost?: string;
  readonly httpPort?: number;
  /** Required when `httpHost` is not a loopback address. */
  readonly apiToken?: string;
  /** DDF folder loaded on top of the embedded models. */
  readonly modelsDir?: string;
  /** Built web UI folder. */
  readonly uiDir?: string;
  /** Default timeout of device requests (ms). */
  readonly requestTimeoutMs?: number;
  /** Queue mode: how long a client counts as awake after its last message (ms, default 93 000). */
  readonly awakeTimeMs?: number;
  /** Messages kept per client in the CoAP log. */
  readonly messageLogSize?: number;
  readonly logger?: FastifyBaseLogger;
  readonly heartbeatMs?: number;
  readonly version?: string;
  /** Stores (defaults: in memory). */
  readonly securityStore?: EditableSecurityStore;
  /** Bootstrap-server credentials (PSK, RPK, X.509) per endpoint; separate from the LwM2M server's. */
  readonly bootstrapSecurityStore?: EditableSecurityStore;
  readonly bootstrapConfigStore?: BootstrapConfigStore;
  readonly models?: ModelRegistry;
  /**
   * Cluster mode: the Redis URL every node of the cluster shares. Stores come from
   * `@lwm2m-ts/store-redis`; REST calls are forwarded to a device's owner node and events reach
   * every node. Unreachable at start: `RedisUnavailableError`.
   */
  readonly redis?: string;
  /** This node's id in the cluster (default: a random one); also shown in single-node mode. */
  readonly nodeId?: string;
  /** Redis key prefix, the same on every node (default "lwm2m:"). */
  readonly redisPrefix?: string;
  /** Cluster tuning (heartbeat, node TTL, forwarding timeout, event stream length, connect timeout). */
  readonly cluster?: Omit<ClusterOptions, 'redisUrl' | 'nodeId' | 'prefix' | 'logger'>;
}

export interface ServerApp {
  readonly httpUrl: string;
  readonly coapPort: number;
  readonly tcpPort: number | undefined;
  /** LwM2M over DTLS (`coapsPort`; `dtlsPort` is the same). */
  readonly coapsPort: number | undefined;
  readonly dtlsPort: number | undefined;
  readonly tlsPort: number | undefined;
  readonly bsPort: number | undefined;
  readonly bsCoapsPort: number | undefined;
  /** The UDP LwM2M server. */
  readonly server: CoapLwM2mServer;
  /** Every LwM2M server (UDP, TCP, WebSocket). */
  readonly servers: ServerGroup;
  readonly bootstrap: CoapBootstrapServer | undefined;
  readonly http: FastifyInstance;
  readonly context: AppContext;
  /** This node's id (cluster mode: `--node-id`). */
  readonly nodeId: string;
  /** Cluster mode only. */
  readonly cluster: ClusterNode | undefined;
  close(): Promise<void>;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

const hostForUrl = (host: string) => (host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host);

export async function startServerApp(options: ServerAppOptions = {}): Promise<ServerApp> {
  const httpHost = options.httpHost ?? '127.0.0.1';
  if (!isLoopbackHost(httpHost) && !options.apiToken) {
    throw new ConfigurationError(
      `refusing to serve the API on ${httpHost} without a token: anyone reaching it could control every device. ` +
        'Set --api-token (or LWM2M_API_TOKEN), or bind --http-host 127.0.0.1.',
    );
  }
  const models = options.models ?? createDefaultRegistry();
  if (options.modelsDir) {
    const result = await loadDdfDirectory(models, options.modelsDir, { strict: false });
    options.logger?.info({ dir: options.modelsDir, loaded: result.models.length }, 'object models loaded');
    for (const failed of result.failed)
      options.logger?.warn({ file: failed.file, error: failed.error.message }, 'bad DDF file');
  }
  const nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
  const cluster = options.redis
    ? await ClusterNode.start({
        ...options.cluster,
        redisUrl: options.redis,
        nodeId,
        ...(options.redisPrefix !== undefined ? { prefix: options.redisPrefix } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      })
    : undefined;
  const hub = cluster?.hub ?? new EventHub();
  // In cluster mode the synchronous indexes (PSK, RPK, OSCORE ids) also follow the other nodes'
  // changes to the shared stores (published by every node's writes), so a credential added on
  // one node works for a handshake on any node.
  const indexed = (
    given: EditableSecurityStore | undefined,
    shared: (EditableSecurityStore & SecurityChangeFeed) | undefined,
    fallback: () => EditableSecurityStore,
  ) =>
    IndexedSecurityStore.wrap(given ?? shared ?? fallback(), {
      ...(!given && shared ? { changes: shared } : {}),
      onError: (error) => options.logger?.warn({ err: error }, 'security index: re-reading a change failed'),
    });
  let security: IndexedSecurityStore;
  let bootstrapSecurity: IndexedSecurityStore;
  try {
    security = await indexed(options.securityStore, cluster?.stores.securityStore, () => new InMemorySecurityStore());
    try {
      bootstrapSecurity = await indexed(
        options.bootstrapSecurityStore,
        cluster?.bootstrapSecurityStore,
        () => new InMemorySecurityStore(),
      );
    } catch (error) {
      security.close();
      throw error;
    }
  } catch (error) {
    // Listing the credentials failed (Redis erroring): leave the cluster rather than a half-started node behind.
    await cluster?.close().catch(() => undefined);
    throw error;
  }
  const credentials = options.credentials ?? {};
  const bootstrapConfigs =
    options.bootstrapConfigStore ?? cluster?.stores.bootstrapConfigStore ?? new InMemoryBootstrapConfigStore();
  const endpointByPeer = new Map<string, string>();
  const messageLog = new CoapMessageLog({
    ...(options.messageLogSize !== undefined ? { capacity: options.messageLogSize } : {}),
    endpointOf: (peer: Peer, transport: Transport) => endpointByPeer.get(`${transport.scheme} ${peer.key}`),
    onEntry: (endpoint, entry) => hub.publish({ type: 'coap', endpoint, entry }),
  });

  const closers: (() => Promise<unknown>)[] = [];
  if (cluster) closers.push(() => cluster.close());
  closers.push(async () => {
    security.close();
    bootstrapSecurity.close();
  });
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const servers = new ServerGroup();
    const trackPeers = (server: CoapLwM2mServer) => {
      const key = (peerKey: string) => `${server.endpoint.transport.scheme} ${peerKey}`;
      server.events.on('registered', ({ registration }) =>
        endpointByPeer.set(key(registration.peer.key), registration.endpoint),
      );
      server.events.on('updated', ({ registration, previous }) => {
        endpointByPeer.delete(key(previous.peer.key));
        endpointByPeer.set(key(registration.peer.key), registration.endpoint);
      });
      const ended = (peerKey: string, endpoint: string, forgetLog: boolean) => {
        if (endpointByPeer.get(key(peerKey)) === endpoint) endpointByPeer.delete(key(peerKey));
        if (forgetLog) messageLog.forget(endpoint);
      };
      server.events.on('deregistered', ({ registration, reason }) =>
        ended(registration.peer.key, registration.endpoint, reason !== 'replaced'),
      );
      server.events.on('expired', ({ registration }) => ended(registration.peer.key, registration.endpoint, true));
    };
    const startServer = (transport: Transport, layers: readonly MessageLayer[] = []): CoapLwM2mServer => {
      const server = createLwM2mServer({
        transport: messageLog.wrap(transport),
        ...(layers.length > 0 ? { endpoint: { layers } } : {}),
        models,
        securityStore: security,
        ...(cluster
          ? {
              store: cluster.stores.registrationStore,
              observationStore: cluster.stores.observationStore,
              queueStore: cluster.stores.queueStore,
            }
          : {}),
        ...(options.awakeTimeMs !== undefined ? { awakeTimeMs: options.awakeTimeMs } : {}),
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
      closers.push(() => server.close());
      trackPeers(server);
      server.events.on('error', ({ error }) => options.logger?.warn({ err: error }, 'LwM2M server error'));
      wireServerEvents(server, hub);
      servers.add(server);
      cluster?.watch(server);
      return server;
    };

    const udp = await createUdpTransport({ host: options.coapHost ?? '0.0.0.0', port: options.coapPort ?? 5683 });
    // OSCORE on the UDP ports, contexts from the security stores (oscore-layer.ts). Not in cluster
    // mode: each node would count Sender Sequence Numbers from its own memory, so two nodes serving
    // one device could reuse a nonce (RFC 8613 §7.2.1). Without the layer a request carrying the
    // critical OSCORE option is refused with 4.02 Bad Option.
    if (cluster) options.logger?.warn('OSCORE is not served in cluster mode (sequence numbers are per node)');
    const oscoreLayer = (store: IndexedSecurityStore): MessageLayer[] => {
      if (cluster) return [];
      const layer = createStoreOscoreLayer({ store });
      closers.push(async () => layer.close());
      return [layer];
    };
    const server = startServer(udp, oscoreLayer(security));
    const coaps = options.coaps !== false;
    const coapsHost = options.coapsHost ?? options.dtlsHost ?? options.coapHost ?? '0.0.0.0';
    let coapsPort: number | undefined;
    if (coaps) {
      const dtls = await startDtlsListener(
        coapsHost,
        options.coapsPort ?? options.dtlsPort ?? 5684,
        security,
        credentials,
      );
      const dtlsServer = startServer(dtls);
      // Connection ID sessions keep their Peer.key when the device's address changes; the
      // registration follows the new address so the API shows (and downlinks use) where it is now.
      dtls.onPeerAddressChanged((peer) => {
        void followAddressChange(dtlsServer, peer).catch((error) =>
          options.logger?.warn({ err: error }, 'registration address update failed'),
        );
      });
      coapsPort = dtls.localAddress()?.port;
    }
    let tlsPort: number | undefined;
    if (options.tlsPort !== undefined) {
      const tls = await startTlsListener(
        options.tlsHost ?? options.tcpHost ?? options.coapHost ?? '0.0.0.0',
        options.tlsPort,
        security,
        credentials,
      );
      startServer(tls);
      tlsPort = tls.localAddress()?.port;
    }
    let tcpPort: number | undefined;
    if (options.tcpPort !== undefined) {
      const tcp = await createTcpTransport({
        host: options.tcpHost ?? options.coapHost ?? '0.0.0.0',
        port: options.tcpPort,
      });
      startServer(tcp);
      tcpPort = tcp.localAddress()?.port;
    }

    let bootstrap: CoapBootstrapServer | undefined;
    let bsPort: number | undefined;
    let bsCoapsPort: number | undefined;
    if (options.bootstrap !== false) {
      const bsHost = options.bsHost ?? options.coapHost ?? '0.0.0.0';
      const bsUdp = await createUdpTransport({ host: bsHost, port: options.bsPort ?? 5783 });
      bootstrap = startBootstrap(bsUdp, oscoreLayer(bootstrapSecurity));
      bsPort = bsUdp.localAddress()?.port;
      if (coaps) {
        const bsDtls = await startDtlsListener(bsHost, options.bsCoapsPort ?? 5784, bootstrapSecurity, credentials);
        startBootstrap(bsDtls);
        bsCoapsPort = bsDtls.localAddress()?.port;
      }
    }
    function startBootstrap(transport: Transport, layers: readonly MessageLayer[] = []): CoapBootstrapServer {
      const bs = createBootstrapServer({
        transport: messageLog.wrap(transport),
        ...(layers.length > 0 ? { endpoint: { layers } } : {}),
        configStore: bootstrapConfigs,
        securityStore: bootstrapSecurity,
        models,
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
      closers.push(() => bs.close());
      wireBootstrapEvents(bs, hub);
      return bs;
    }

    const localNode = localNodeView(nodeId, servers);
    const context: AppContext = {
      servers,
      cluster: cluster ?? localNode,
      ...(bootstrap ? { bootstrap } : {}),
      models,
      security,
      bootstrapSecurity,
      bootstrapConfigs,
      hub,
      messageLog,
      listening: {
        version: options.version ?? '0.1.0',
        coap: {
          udpPort: udp.localAddress()?.port ?? options.coapPort ?? 5683,
          ...(tcpPort !== undefined ? { tcpPort } : {}),
          ...(coapsPort !== undefined ? { dtlsPort: coapsPort } : {}),
          ...(tlsPort !== undefined ? { tlsPort } : {}),
          webSockets: options.coapOverWebSockets === true,
        },
        ...(bsPort !== undefined ? { bootstrapPort: bsPort } : {}),
        ...(bsCoapsPort !== undefined ? { bootstrapCoapsPort: bsCoapsPort } : {}),
      },
    };
    const http = await buildHttpApi(context, {
      ...(options.apiToken ? { apiToken: options.apiToken } : {}),
      ...(options.uiDir ? { uiDir: options.uiDir } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.version ? { version: options.version } : {}),
    });
    closers.push(() => http.close());
    cluster?.attachHttp(http);
    if (options.coapOverWebSockets) startServer(await createWsTransport({ server: http.server }));
    await http.listen({ host: httpHost, port: options.httpPort ?? 8080 });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : (options.httpPort ?? 8080);
    const coapPort = udp.localAddress()?.port ?? options.coapPort ?? 5683;
    const httpUrl = `http://${hostForUrl(httpHost)}:${httpPort}`;
    localNode.http = httpUrl;
    await cluster?.listening(httpUrl);
    let closed: Promise<void> | undefined;
    return {
      httpUrl,
      coapPort,
      tcpPort,
      coapsPort,
      dtlsPort: coapsPort,
      tlsPort,
      bsPort,
      bsCoapsPort,
      server,
      servers,
      bootstrap,
      http,
      context,
      nodeId,
      cluster,
      close: () => {
        closed ??= closeAll();
        return closed;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Moves the registration held for `peer.key` to the peer's new address (an Update from the new address). */
async function followAddressChange(server: CoapLwM2mServer, peer: Peer): Promise<void> {
  const registration = (await server.listRegistrations()).find((r) => r.peer.key === peer.key);
  if (!registration || (registration.peer.address === peer.address && registration.peer.port === peer.port)) return;
  await server.registrations.update({ registrationId: registration.id }, { ...registration.peer, ...peer });
}
