/**
 * Test-only LwM2M server: a raw CoAP Endpoint serving /rd (and /bs, /dp) that records what
 * the client sends, and sends requests to the client.
 */
import { type CoapRequest, Endpoint, type Peer, type Transport } from '@lwm2m-ts/coap';
import { MemoryNetwork, type MemoryTransport } from '@lwm2m-ts/coap/testing';
import { CoapCode } from '@lwm2m-ts/codec';
import { vi } from 'vitest';
import {
  deviceInstance,
  LwM2mClient,
  type LwM2mClientOptions,
  type ObjectDefinition,
  type ServerInstanceOptions,
  securityInstance,
  serverInstance,
} from '../src/index';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly payload: string;
  readonly contentFormat: number | undefined;
  readonly bytes: Uint8Array;
}

const record = (req: CoapRequest): Recorded => ({
  method: req.method ?? String(req.code),
  path: `/${req.path.join('/')}`,
  query: req.query,
  payload: req.text(),
  contentFormat: req.contentFormat,
  bytes: req.payload,
});

export class FakeServer<T extends Transport = MemoryTransport> {
  readonly endpoint: Endpoint;
  readonly received: Recorded[] = [];
  /** Code answered to the next Register (2.01 by default). */
  registerCode: number = CoapCode.CREATED;
  updateCode: number = CoapCode.CHANGED;
  private next = 1;

  constructor(
    readonly transport: T,
    /** Host in the server URI. */
    readonly name: string,
  ) {
    this.endpoint = new Endpoint({ transport });
    const r = this.endpoint.router;
    r.post('/rd', (req) => {
      this.received.push(record(req));
      if (this.registerCode !== CoapCode.CREATED) return { code: this.registerCode };
      return { code: CoapCode.CREATED, locationPath: ['rd', `r${this.next++}`] };
    });
    r.post('/rd/:id', (req) => {
      this.received.push(record(req));
      return { code: this.updateCode };
    });
    r.delete('/rd/:id', (req) => {
      this.received.push(record(req));
      return { code: CoapCode.DELETED };
    });
    r.post('/bs', (req) => {
      this.received.push(record(req));
      return { code: CoapCode.CHANGED };
    });
    r.post('/dp', (req) => {
      this.received.push(record(req));
      return { code: CoapCode.CHANGED };
    });
  }

  get uri(): string {
    return `coap://${this.name}:${this.transport.localAddress()?.port ?? 5683}`;
  }

  of(method: string, prefix: string): Recorded[] {
    return this.received.filter((r) => r.method === method && r.path.startsWith(prefix));
  }
}

export interface Setup {
  readonly network: MemoryNetwork;
  readonly server: FakeServer;
  readonly client: LwM2mClient;
  readonly clientTransport: MemoryTransport;
  /** The client as the server sees it. */
  readonly clientPeer: Peer;
}

export function serverAccount(server: FakeServer, ssid = 1, o: Partial<ServerInstanceOptions> = {}) {
  return {
    security: securityInstance({ uri: server.uri, shortServerId: ssid }),
    server: serverInstance({ shortServerId: ssid, lifetime: 300, ...o }),
  };
}

/**
 * A client ("two-servers") registered with fake servers A (Short Server ID 1) and B (2) on one
 * MemoryNetwork, plus `objects`. `beforeStart` sees the parts before `start()` (listeners, server
 * behaviour); the client has started and both Registers were answered when this resolves.
 */
export async function startTwoServerClient(
  options: {
    objects?: ObjectDefinition[];
    accountB?: Partial<ServerInstanceOptions>;
    beforeStart?: (parts: { client: LwM2mClient; a: FakeServer; b: FakeServer }) => void;
  } = {},
) {
  const network = new MemoryNetwork();
  const a = new FakeServer(network.transport('server-a', { port: 5683 }), 'server-a');
  const b = new FakeServer(network.transport('server-b', { port: 5683 }), 'server-b');
  const clientTransport = network.transport('dev', { port: 40001 });
  const accA = serverAccount(a, 1);
  const accB = serverAccount(b, 2, options.accountB);
  const client = new LwM2mClient({
    endpointName: 'two-servers',
    transport: clientTransport,
    objects: [
      { id: 0, instances: { 0: accA.security, 1: accB.security } },
      { id: 1, instances: { 0: accA.server, 1: accB.server } },
      ...(options.objects ?? []),
    ],
  });
  options.beforeStart?.({ client, a, b });
  const starting = client.start();
  await settle();
  await starting;
  return {
    network,
    client,
    a,
    b,
    peerA: a.transport.peerOf(clientTransport),
    peerB: b.transport.peerOf(clientTransport),
  };
}

/** Network, fake server "server" on 5683, client "dev" with Security/Server/Device and `objects`. */
export function setup(
  objects: ObjectDefinition[] = [],
  options: Partial<LwM2mClientOptions> & { server?: Partial<ServerInstanceOptions> } = {},
): Setup {
  const network = new MemoryNetwork();
  const serverTransport = network.transport('server', { port: 5683 });
  const server = new FakeServer(serverTransport, 'server');
  const clientTransport = network.transport('dev', { port: 40001 });
  const account = serverAccount(server, 1, options.server);
  const { server: _s, ...clientOptions } = options;
  const client = new LwM2mClient({
    endpointName: 'dev1',
    transport: clientTransport,
    objects: [
      { id: 0, instances: { 0: account.security } },
      { id: 1, instances: { 0: account.server } },
      {
        id: 3,
        instances: {
          0: deviceInstance({
            manufacturer: 'Open Mobile Alliance',
            modelNumber: 'Lightweight M2M Client',
            serialNumber: '345000123',
          }),
        },
      },
      ...objects,
    ],
    ...clientOptions,
  });
  return { network, server, client, clientTransport, clientPeer: serverTransport.peerOf(clientTransport) };
}

/** Lets queued microtasks and zero-delay timers run (fake timers). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await vi.advanceTimersByTimeAsync(0);
}

/** Starts the client and waits for its registration. */
export async function started(s: Setup): Promise<void> {
  const done = s.client.start();
  await settle();
  await done;
}
