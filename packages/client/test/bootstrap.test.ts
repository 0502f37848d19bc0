import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deviceInstance, LwM2mClient, securityInstance, serverInstance } from '../src/index';
import { FakeServer, settle } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const json = (text: string) => new TextEncoder().encode(text);

function bootstrapSetup(options: { withServer?: boolean; registerCode?: number; lwm2mVersion?: '1.0' | '1.1' } = {}) {
  const network = new MemoryNetwork();
  const bs = new FakeServer(network.transport('bs', { port: 5683 }), 'bs');
  const dm = new FakeServer(network.transport('server', { port: 5683 }), 'server');
  if (options.registerCode !== undefined) dm.registerCode = options.registerCode;
  const clientTransport = network.transport('dev', { port: 40001 });
  const security = new Map([[0, securityInstance({ uri: bs.uri, bootstrap: true })]]);
  if (options.withServer) security.set(1, securityInstance({ uri: dm.uri, shortServerId: 101 }));
  const client = new LwM2mClient({
    endpointName: 'dev1',
    transport: clientTransport,
    lwm2mVersion: options.lwm2mVersion ?? '1.1',
    bootstrapTimeoutMs: 60_000,
    objects: [
      { id: 0, instances: security },
      {
        id: 1,
        instances: options.withServer
          ? {
              0: serverInstance({
                shortServerId: 101,
                lifetime: 300,
                retryCount: 2,
                retryTimer: 1,
                sequenceRetryCount: 1,
              }),
            }
          : {},
      },
      { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Acme' }) } },
    ],
  });
  const clientPeer = bs.transport.peerOf(clientTransport);
  const toClient = (method: string, path: string, extra: Record<string, unknown> = {}) =>
    bs.endpoint.request({ method: method as 'PUT', peer: clientPeer, path, ...extra });
  return { network, bs, dm, client, toClient, clientPeer };
}

type B = ReturnType<typeof bootstrapSetup>;

async function provision(b: B): Promise<void> {
  expect((await b.toClient('DELETE', '/')).code).toBe(CoapCode.DELETED);
  const sec = await b.toClient('PUT', '/0/1', {
    contentFormat: ContentFormat.SENML_JSON,
    payload: json(
      `[{"bn":"/0/1/","n":"0","vs":"${b.dm.uri}"},{"n":"1","vb":false},{"n":"2","v":3},{"n":"10","v":101}]`,
    ),
  });
  expect(sec.code).toBe(CoapCode.CHANGED);
  const srv = await b.toClient('PUT', '/1/0', {
    contentFormat: ContentFormat.SENML_JSON,
    payload: json('[{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":120},{"n":"6","vb":true},{"n":"7","vs":"U"}]'),
  });
  expect(srv.code).toBe(CoapCode.CHANGED);
}

describe('bootstrap', () => {
  it('client-initiated: Bootstrap-Request, Delete, Writes, Finish, then Register with the new server', async () => {
    const b = bootstrapSetup();
    const finished = b.client.events.once('bootstrapFinished');
    const starting = b.client.start();
    await settle();
    await starting;
    expect(b.bs.of('POST', '/bs')[0]!.query).toEqual(['ep=dev1', 'pct=112']);
    await provision(b);
    expect((await b.toClient('POST', '/bs')).code).toBe(CoapCode.CHANGED);
    await finished;
    await settle();
    const [reg] = b.dm.of('POST', '/rd');
    expect(reg!.query).toEqual(['ep=dev1', 'lt=120', 'lwm2m=1.1', 'b=U']);
    expect(reg!.payload).toBe('</>;rt="oma.lwm2m";ct=112,</1>;ver=1.1,</1/0>,</3>;ver=1.2,</3/0>');
    expect(b.client.servers()).toMatchObject([{ shortServerId: 101, registered: true }]);
  });

  it('answers Finish with 4.06 while no Server + Security pair exists', async () => {
    const b = bootstrapSetup();
    const starting = b.client.start();
    await settle();
    await starting;
    const res = await b.toClient('POST', '/bs');
    expect(res.code).toBe(CoapCode.NOT_ACCEPTABLE);
    expect(res.text()).toContain('no LwM2M Server account');
    // A Server instance without its Security instance is also inconsistent.
    await b.toClient('PUT', '/1/0', {
      contentFormat: ContentFormat.SENML_JSON,
      payload: json('[{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":60},{"n":"6","vb":true},{"n":"7","vs":"U"}]'),
    });
    expect((await b.toClient('POST', '/bs')).code).toBe(CoapCode.NOT_ACCEPTABLE);
    await provision(b);
    expect((await b.toClient('POST', '/bs')).code).toBe(CoapCode.CHANGED);
  });

  it('Bootstrap-Discover, -Read (objects 1 and 2 only) and -Delete (keeps its own account and the Device)', async () => {
    const b = bootstrapSetup({ withServer: true, registerCode: CoapCode.FORBIDDEN });
    b.client.objects.get(1)!; // registration is refused; the bootstrap server configures from scratch
    const starting = b.client.start();
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    await starting;
    expect(b.bs.of('POST', '/bs')).toHaveLength(1); // fell back to bootstrap after the retries
    const discover = await b.toClient('GET', '/', { accept: ContentFormat.LINK_FORMAT });
    expect(discover.text()).toBe(
      '</>;lwm2m=1.1,</0>;ver=1.2,</0/0>;uri="coap://bs:5683",</0/1>;ssid=101;uri="coap://server:5683",</1>;ver=1.1,</1/0>;ssid=101,</3>;ver=1.2,</3/0>',
    );
    const read = await b.toClient('GET', '/1/0', { accept: ContentFormat.SENML_JSON });
    expect(read.code).toBe(CoapCode.CONTENT);
    expect(read.text()).toContain('"n":"0","v":101');
    expect((await b.toClient('GET', '/3/0', { accept: ContentFormat.SENML_JSON })).code).toBe(CoapCode.UNAUTHORIZED);
    expect((await b.toClient('DELETE', '/0/0')).code).toBe(CoapCode.BAD_REQUEST);
    expect((await b.toClient('DELETE', '/')).code).toBe(CoapCode.DELETED);
    expect(b.client.objects.get(0)!.instanceIds()).toEqual([0]);
    expect(b.client.objects.get(1)!.instanceIds()).toEqual([]);
    expect(b.client.objects.get(3)!.instanceIds()).toEqual([0]);
  });

  it('server-initiated: a registered client takes the bootstrap server operations and registers again', async () => {
    const b = bootstrapSetup({ withServer: true });
    const starting = b.client.start();
    await settle();
    await starting;
    expect(b.dm.of('POST', '/rd')).toHaveLength(1);
    const started = b.client.events.once('bootstrapStarted');
    const res = await b.toClient('PUT', '/1/0/1', { payload: '600', contentFormat: ContentFormat.TEXT_PLAIN });
    expect(res.code).toBe(CoapCode.CHANGED);
    expect(await started).toEqual({ initiatedBy: 'server' });
    expect((await b.toClient('POST', '/bs')).code).toBe(CoapCode.CHANGED);
    await settle();
    const regs = b.dm.of('POST', '/rd');
    expect(regs).toHaveLength(2);
    expect(regs[1]!.query).toContain('lt=600');
  });

  it('reports a bootstrap that never finishes', async () => {
    const b = bootstrapSetup();
    const failed = b.client.events.once('bootstrapFailed');
    const starting = b.client.start();
    await settle();
    await starting;
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await failed).error.message).toContain('Bootstrap-Finish');
  });

  it('ignores operations from peers that are not the bootstrap server during bootstrap', async () => {
    const b = bootstrapSetup();
    const starting = b.client.start();
    await settle();
    await starting;
    const stranger = await b.dm.endpoint.request({ method: 'PUT', peer: b.clientPeer, path: '/1/0/1', payload: '1' });
    expect(stranger.code).toBe(CoapCode.SERVICE_UNAVAILABLE);
  });
});

describe('Bootstrap-Pack (1.2)', () => {
  async function packSetup(records: object[]) {
    const { encodeSenmlCbor } = await import('@lwm2m-ts/codec');
    const network = new MemoryNetwork();
    const bs = new FakeServer(network.transport('bs', { port: 5683 }), 'bs');
    const dm = new FakeServer(network.transport('server', { port: 5683 }), 'server');
    const asked: string[][] = [];
    bs.endpoint.router.get('/bspack', (req) => {
      asked.push([...req.query, `accept=${req.accept}`]);
      return {
        code: CoapCode.CONTENT,
        contentFormat: ContentFormat.SENML_CBOR,
        payload: encodeSenmlCbor(records as never),
      };
    });
    const client = new LwM2mClient({
      endpointName: 'pack-dev',
      lwm2mVersion: '1.2',
      bootstrapPack: true,
      transport: network.transport('dev', { port: 40001 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: bs.uri, bootstrap: true }) } },
        { id: 1 },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Acme' }) } },
      ],
    });
    return { bs, dm, client, asked };
  }

  it('applies the pack and registers', async () => {
    const p = await packSetup([
      { n: '/0/1/0', vs: 'coap://server:5683' },
      { n: '/0/1/1', vb: false },
      { n: '/0/1/2', v: 3 },
      { n: '/0/1/10', v: 5 },
      { n: '/1/0/0', v: 5 },
      { n: '/1/0/1', v: 90 },
      { n: '/1/0/6', vb: true },
      { n: '/1/0/7', vs: 'U' },
    ]);
    const starting = p.client.start();
    await settle();
    await starting;
    await settle();
    expect(p.asked).toEqual([['ep=pack-dev', `accept=${ContentFormat.SENML_CBOR}`]]);
    expect(p.dm.of('POST', '/rd')[0]!.query).toEqual(['ep=pack-dev', 'lt=90', 'lwm2m=1.2', 'b=U']);
  });

  it('reports an inconsistent pack as a failed bootstrap', async () => {
    const p = await packSetup([
      { n: '/1/0/0', v: 5 },
      { n: '/1/0/1', v: 90 },
    ]);
    const failed = p.client.events.once('bootstrapFailed');
    const starting = p.client.start();
    await settle();
    await starting;
    expect((await failed).error.message).toContain('inconsistent');
    expect(p.dm.of('POST', '/rd')).toHaveLength(0);
  });
});
