/**
 * The whole application in-process: LwM2M server (UDP), bootstrap server (UDP), HTTP API with
 * live events and the web UI. `close()` stops everything it started.
 */
import type { Peer, Transport } from '@lwm2m-ts/coap';
import { createDefaultRegistry, type ModelRegistry } from '@lwm2m-ts/objects';
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
import { createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../api/auth';
import { buildHttpApi } from '../api/http-api';
import { CoapMessageLog } from '../events/coap-message-log';
import { EventHub } from '../events/event-hub';
import type { AppContext } from './app-context';
import { ServerGroup } from './server-group';
import { wireBootstrapEvents, wireServerEvents } from './wire-events';

export interface ServerAppOptions {
  readonly coapHost?: string;
  readonly coapPort?: number;
  /** Bootstrap server; `false` runs none. */
  readonly bootstrap?: boolean;
  readonly bsHost?: string;
  readonly bsPort?: number;
  /** CoAP over DTLS (coaps, PSK from the security store); off unless a port is given. */
  readonly dtlsHost?: string;
  readonly dtlsPort?: number;
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
  readonly bootstrapConfigStore?: BootstrapConfigStore;
  readonly models?: ModelRegistry;
}

export interface ServerApp {
  readonly httpUrl: string;
  readonly coapPort: number;
  readonly tcpPort: number | undefined;
  readonly dtlsPort: number | undefined;
  readonly bsPort: number | undefined;
  /** The UDP LwM2M server. */
  readonly server: CoapLwM2mServer;
  /** Every LwM2M server (UDP, TCP, WebSocket). */
  readonly servers: ServerGroup;
  readonly bootstrap: CoapBootstrapServer | undefined;
  readonly http: FastifyInstance;
  readonly context: AppContext;
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
    const result = await models.loadDirectory(options.modelsDir, { strict: false });
    options.logger?.info({ dir: options.modelsDir, loaded: result.models.length }, 'object models loaded');
    for (const failed of result.failed)
      options.logger?.warn({ file: failed.file, error: failed.error.message }, 'bad DDF file');
  }
  const hub = new EventHub();
  const security = options.securityStore ?? new InMemorySecurityStore();
  const bootstrapConfigs = options.bootstrapConfigStore ?? new InMemoryBootstrapConfigStore();
  const endpointByPeer = new Map<string, string>();
  const messageLog = new CoapMessageLog({
    ...(options.messageLogSize !== undefined ? { capacity: options.messageLogSize } : {}),
    endpointOf: (peer: Peer, transport: Transport) => endpointByPeer.get(`${transport.scheme} ${peer.key}`),
    onEntry: (endpoint, entry) => hub.publish({ type: 'coap', endpoint, entry }),
  });

  const closers: (() => Promise<unknown>)[] = [];
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
    const startServer = (transport: Transport): CoapLwM2mServer => {
      const server = createLwM2mServer({
        transport: messageLog.wrap(transport),
        models,
        securityStore: security,
        ...(options.awakeTimeMs !== undefined ? { awakeTimeMs: options.awakeTimeMs } : {}),
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
      closers.push(() => server.close());
      trackPeers(server);
      server.events.on('error', ({ error }) => options.logger?.warn({ err: error }, 'LwM2M server error'));
      wireServerEvents(server, hub);
      servers.add(server);
      return server;
    };

    const udp = await createUdpTransport({ host: options.coapHost ?? '0.0.0.0', port: options.coapPort ?? 5683 });
    const server = startServer(udp);
    let dtlsPort: number | undefined;
    if (options.dtlsPort !== undefined) {
      const dtls = await createDtlsServer({
        host: options.dtlsHost ?? options.coapHost ?? '0.0.0.0',
        port: options.dtlsPort,
        // Keys come from the security store, so credentials added through the API work at once.
        psk: async (identity) => (await security.getByPskIdentity(identity))?.psk?.key,
      });
      startServer(dtls);
      dtlsPort = dtls.localAddress()?.port;
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
    if (options.bootstrap !== false) {
      const bsUdp = await createUdpTransport({
        host: options.bsHost ?? options.coapHost ?? '0.0.0.0',
        port: options.bsPort ?? 5783,
      });
      bootstrap = createBootstrapServer({
        transport: messageLog.wrap(bsUdp),
        configStore: bootstrapConfigs,
        models,
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
      closers.push(() => bootstrap!.close());
      bsPort = bsUdp.localAddress()?.port;
      wireBootstrapEvents(bootstrap, hub);
    }

    const context: AppContext = {
      servers,
      ...(bootstrap ? { bootstrap } : {}),
      models,
      security,
      bootstrapConfigs,
      hub,
      messageLog,
      listening: {
        version: options.version ?? '0.1.0',
        coap: {
          udpPort: udp.localAddress()?.port ?? options.coapPort ?? 5683,
          ...(tcpPort !== undefined ? { tcpPort } : {}),
          ...(dtlsPort !== undefined ? { dtlsPort } : {}),
          webSockets: options.coapOverWebSockets === true,
        },
        ...(bsPort !== undefined ? { bootstrapPort: bsPort } : {}),
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
    if (options.coapOverWebSockets) startServer(await createWsTransport({ server: http.server }));
    await http.listen({ host: httpHost, port: options.httpPort ?? 8080 });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : (options.httpPort ?? 8080);
    const coapPort = udp.localAddress()?.port ?? options.coapPort ?? 5683;
    let closed: Promise<void> | undefined;
    return {
      httpUrl: `http://${hostForUrl(httpHost)}:${httpPort}`,
      coapPort,
      tcpPort,
      dtlsPort,
      bsPort,
      server,
      servers,
      bootstrap,
      http,
      context,
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
