import { Endpoint, type Peer } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat, decodeUtf8 } from '@lwm2m-ts/codec';
import {
  createDefaultRegistry,
  LwM2mObject as LwM2mObjectNode,
  LwM2mPath,
  LwM2mValue,
  type ObjectInstance,
  ObjectInstance as ObjectInstanceNode,
  Resource,
} from '@lwm2m-ts/objects';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BootstrapConfig,
  type CoapBootstrapServer,
  createBootstrapServer,
  InMemoryBootstrapConfigStore,
  InMemorySecurityStore,
  InvalidBootstrapConfigError,
  SecurityMode,
} from '../src/index';
import { codecs } from './fake-device';

const models = createDefaultRegistry();
const lookup = (o: number, r: number) => models.get(o)?.resources.get(r);
const utf8 = (s: string) => new TextEncoder().encode(s);
const config: BootstrapConfig = {
  security: {
    0: { uri: 'coaps://bs.example:5684', bootstrapServer: true, securityMode: SecurityMode.NO_SEC },
    1: {
      uri: 'coaps://dm.example:5684',
      bootstrapServer: false,
      securityMode: SecurityMode.PSK,
      publicKeyOrIdentity: utf8('dev1'),
      secretKey: new Uint8Array([1, 2, 3]),
      shortServerId: 101,
    },
  },
  servers: { 0: { shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' } },
  acls: { 0: { objectId: 3, objectInstanceId: 0, acl: { 101: 15 }, accessControlOwner: 101 } },
};

let network: MemoryNetwork;
let bs: CoapBootstrapServer;
let device: Endpoint;
let received: { method: string; path: string; payload: Uint8Array; contentFormat: number | undefined }[];
let failPath: string | undefined;

async function setup(options: { identity?: boolean; store?: InMemoryBootstrapConfigStore } = {}) {
  network = new MemoryNetwork();
  const configStore = options.store ?? new InMemoryBootstrapConfigStore();
  if (!options.store) await configStore.put('dev1', config);
  const securityStore = new InMemorySecurityStore([
    { endpoint: 'dev1', psk: { identity: 'dev1', key: new Uint8Array([9]) } },
  ]);
  const serverTransport = network.transport('bs', { port: 5683 });
  bs = createBootstrapServer({
    transport: serverTransport,
    configStore,
    ...(options.identity ? { securityStore } : {}),
    requestTimeoutMs: 5_000,
  });
  const transport = network.transport('dev', options.identity ? { identity: { kind: 'psk', identity: 'dev1' } } : {});
  device = new Endpoint({ transport });
  received = [];
  failPath = undefined;
  const record =
    (method: string) => (req: { path: readonly string[]; payload: Uint8Array; contentFormat: number | undefined }) => {
      const path = `/${req.path.join('/')}`;
      received.push({ method, path, payload: req.payload, contentFormat: req.contentFormat });
      if (path === failPath) return { code: 0x80, payload: 'nope' };
      return { code: method === 'DELETE' ? 0x42 : 0x44 };
    };
  const get = (req: {
    path: readonly string[];
    payload: Uint8Array;
    contentFormat: number | undefined;
    accept: number | undefined;
  }) => {
    record('GET')(req);
    if (req.accept === ContentFormat.LINK_FORMAT)
      return { contentFormat: 40, payload: '</>;lwm2m=1.1,</0/0>,</1>,</3/0>' };
    const server1 = ObjectInstanceNode.of(0, [Resource.single(0, LwM2mValue.integer(101))]);
    return {
      contentFormat: ContentFormat.LWM2M_TLV,
      payload: codecs.encode(ContentFormat.LWM2M_TLV, LwM2mObjectNode.of(1, [server1]), LwM2mPath.of(1)),
    };
  };
  device.router.add('/*', { delete: record('DELETE'), put: record('PUT'), post: record('POST'), get });
  return transport.peerOf(serverTransport);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await device.close();
  await bs.close();
  vi.useRealTimers();
});

const bootstrapRequest = (server: Peer, query: string[]) =>
  device.request({ peer: server, method: 'POST', path: 'bs', query });

describe('bootstrap server over CoAP', () => {
  it('runs delete, writes (in the preferred format) and finish, with events', async () => {
    const server = await setup();
    const events: string[] = [];
    bs.events.on('sessionStarted', () => events.push('started'));
    bs.events.on('requestCompleted', (e) => events.push(e.request.kind));
    const finished = new Promise((resolve) => bs.events.on('sessionFinished', resolve));
    const answer = await bootstrapRequest(server, ['ep=dev1', 'pct=11542']);
    expect(answer.codeText).toBe('2.04');
    await vi.advanceTimersByTimeAsync(50);
    await finished;
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /',
      'PUT /0/0',
      'PUT /0/1',
      'PUT /1/0',
      'PUT /2/0',
      'POST /bs',
    ]);
    expect(events).toEqual([
      'started',
      'bootstrap-delete',
      'bootstrap-write',
      'bootstrap-write',
      'bootstrap-write',
      'bootstrap-write',
      'bootstrap-finish',
    ]);
    const security = received[2]!;
    expect(security.contentFormat).toBe(ContentFormat.LWM2M_TLV);
    const node = codecs.decode(ContentFormat.LWM2M_TLV, security.payload, LwM2mPath.of(0, 1), lookup) as ObjectInstance;
    expect(node.resources.get(0)).toEqual(Resource.single(0, LwM2mValue.string('coaps://dm.example:5684')));
    expect(node.resources.get(10)).toEqual(Resource.single(10, LwM2mValue.integer(101)));
    const server0 = codecs.decode(
      ContentFormat.LWM2M_TLV,
      received[3]!.payload,
      LwM2mPath.of(1, 0),
      lookup,
    ) as ObjectInstance;
    expect(server0.resources.get(7)).toEqual(Resource.single(7, LwM2mValue.string('U')));
  });

  it('writes OSCORE before Security, discovers first and reads before finishing', async () => {
    const store = new InMemoryBootstrapConfigStore();
    await store.put('dev1', {
      toDelete: ['/0', '/1', '/21'],
      discoverFirst: true,
      readBeforeFinish: ['/1'],
      oscore: {
        0: { masterSecret: new Uint8Array(16), senderId: new Uint8Array([1]), recipientId: new Uint8Array([2]) },
      },
      security: {
        1: {
          uri: 'coap://dm.example',
          bootstrapServer: false,
          securityMode: SecurityMode.NO_SEC,
          shortServerId: 7,
          oscoreInstanceId: 0,
        },
      },
      servers: { 0: { shortServerId: 7, lifetime: 60, notificationStoring: false, binding: 'U' } },
    });
    const server = await setup({ store });
    const finished = new Promise<{ discovered?: readonly { path: string }[]; read: ReadonlyMap<string, unknown> }>(
      (resolve) => bs.events.on('sessionFinished', resolve),
    );
    await bootstrapRequest(server, ['ep=dev1', 'pct=112']);
    await vi.advanceTimersByTimeAsync(50);
    const result = await finished;
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /',
      'DELETE /0',
      'DELETE /1',
      'DELETE /21',
      'PUT /21/0',
      'PUT /0/1',
      'PUT /1/0',
      'GET /1',
      'POST /bs',
    ]);
    expect(received[4]?.contentFormat).toBe(ContentFormat.SENML_CBOR);
    const security = codecs.decode(
      ContentFormat.SENML_CBOR,
      received[5]!.payload,
      LwM2mPath.of(0, 1),
      lookup,
    ) as ObjectInstance;
    expect(security.resources.get(17)).toEqual(Resource.single(17, LwM2mValue.objlnk(21, 0)));
    expect(result.discovered?.map((l) => l.path)).toEqual(['/', '/0/0', '/1', '/3/0']);
    expect([...result.read.keys()]).toEqual(['/1']);
  });

  it('stops at a failing write and reports it, without Bootstrap-Finish', async () => {
    const server = await setup();
    const failed = new Promise<{ reason: string }>((resolve) => bs.events.on('sessionFailed', resolve));
    failPath = '/1/0';
    await bootstrapRequest(server, ['ep=dev1']);
    await vi.advanceTimersByTimeAsync(50);
    const failure = await failed;
    expect(failure.reason).toContain('bootstrap-write answered 4.00');
    expect(received.map((r) => r.path)).not.toContain('/bs');
  });

  it('refuses unknown endpoints, missing ep and a bad pct', async () => {
    const server = await setup();
    const unknown = await bootstrapRequest(server, ['ep=ghost']);
    expect(unknown.codeText).toBe('4.00');
    expect(decodeUtf8(unknown.payload)).toContain('no bootstrap configuration');
    expect((await bootstrapRequest(server, [])).codeText).toBe('4.00');
    expect((await bootstrapRequest(server, ['ep=dev1', 'pct=x'])).codeText).toBe('4.00');
    expect(received).toEqual([]);
  });

  it('checks the identity against bootstrap credentials', async () => {
    const server = await setup({ identity: true });
    expect((await bootstrapRequest(server, ['ep=dev1'])).codeText).toBe('2.04');
    await vi.advanceTimersByTimeAsync(50);
    // The same identity may not bootstrap as another endpoint.
    await bs.configs.put('dev2', config);
    expect((await bootstrapRequest(server, ['ep=dev2'])).codeText).toBe('4.03');
  });
});

describe('bootstrap config validation', () => {
  it.each([
    [
      { servers: { 0: { shortServerId: 0, lifetime: 60, notificationStoring: false, binding: 'U' } } },
      'short server id',
    ],
    [{ servers: { 0: { shortServerId: 1, lifetime: 0, notificationStoring: false, binding: 'U' } } }, 'lifetime'],
    [{ security: { 0: { uri: 'http://x', bootstrapServer: true, securityMode: 3 } } }, 'not a CoAP URI'],
    [{ security: { 0: { uri: 'coap://x', bootstrapServer: false, securityMode: 3 } } }, 'short server id'],
    [{ security: { 0: { uri: 'coap://x', bootstrapServer: false, securityMode: 0, shortServerId: 1 } } }, 'PSK mode'],
    [{ toDelete: ['/a'] }, 'toDelete'],
  ] as [BootstrapConfig, string][])('rejects %j', async (bad, message) => {
    const store = new InMemoryBootstrapConfigStore();
    await expect(store.put('x', bad)).rejects.toThrow(InvalidBootstrapConfigError);
    await expect(store.put('x', bad)).rejects.toThrow(message);
  });
});
