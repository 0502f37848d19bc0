import { CoapCode, ContentFormat, decodeTlv } from '@lwm2m-ts/codec';
import { createDefaultRegistry, LwM2mPath, NodeCodecRegistry } from '@lwm2m-ts/objects';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ExecuteArgument, SimpleInstance } from '../src/index';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const codecs = new NodeCodecRegistry();
const lookup = createDefaultRegistry().lookup();
const req = (s: Setup, method: string, path: string, extra: Record<string, unknown> = {}) =>
  s.server.endpoint.request({ method: method as 'GET', peer: s.clientPeer, path, ...extra });

async function ready(objects: Parameters<typeof setup>[0] = [], options: Parameters<typeof setup>[1] = {}) {
  const s = setup(objects, options);
  await started(s);
  return s;
}

describe('Read', () => {
  it('reads a single resource as text/plain and an instance in the default format', async () => {
    const s = await ready();
    const manufacturer = await req(s, 'GET', '/3/0/0');
    expect([manufacturer.codeText, manufacturer.contentFormat, manufacturer.text()]).toEqual([
      '2.05',
      ContentFormat.TEXT_PLAIN,
      'Open Mobile Alliance',
    ]);
    const device = await req(s, 'GET', '/3/0');
    expect(device.contentFormat).toBe(ContentFormat.SENML_CBOR);
    const node = codecs.decode(ContentFormat.SENML_CBOR, device.payload, LwM2mPath.parse('/3/0'));
    expect(node.kind).toBe('object-instance');
    if (node.kind !== 'object-instance') return;
    expect([...node.resources.keys()]).toEqual([0, 1, 2, 11, 13, 16]);
  });

  it('honours Accept: TLV, SenML JSON, LwM2M CBOR; 4.06 for what it cannot produce', async () => {
    const s = await ready();
    const tlv = await req(s, 'GET', '/3/0', { accept: ContentFormat.LWM2M_TLV });
    expect(tlv.contentFormat).toBe(ContentFormat.LWM2M_TLV);
    expect(decodeTlv(tlv.payload).length).toBeGreaterThan(3);
    const json = await req(s, 'GET', '/3/0/0', { accept: ContentFormat.SENML_JSON });
    expect(json.text()).toBe('[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]');
    const cbor = await req(s, 'GET', '/3/0/0', { accept: ContentFormat.LWM2M_CBOR });
    expect(cbor.contentFormat).toBe(ContentFormat.LWM2M_CBOR);
    expect((await req(s, 'GET', '/3/0', { accept: ContentFormat.TEXT_PLAIN })).code).toBe(CoapCode.NOT_ACCEPTABLE);
    expect((await req(s, 'GET', '/3/0', { accept: ContentFormat.JSON })).code).toBe(CoapCode.NOT_ACCEPTABLE);
  });

  it('answers 4.04 for unknown objects, instances, resources and non-LwM2M paths, 4.05 for executables', async () => {
    const s = await ready();
    expect((await req(s, 'GET', '/3303/0')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'GET', '/3/7')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'GET', '/3/0/9')).code).toBe(CoapCode.NOT_FOUND); // battery level: not present
    expect((await req(s, 'GET', '/3/0/999')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'GET', '/foo')).code).toBe(CoapCode.NOT_FOUND);
    const exec = await req(s, 'GET', '/3/0/4');
    expect(exec.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect(exec.text()).toContain('not readable');
  });

  it('refuses any access to the Security object and requests from unknown peers (4.01)', async () => {
    const s = await ready();
    expect((await req(s, 'GET', '/0/0')).code).toBe(CoapCode.UNAUTHORIZED);
    const { Endpoint } = await import('@lwm2m-ts/coap');
    const stranger = new Endpoint({ transport: s.network.transport('stranger') });
    const res = await stranger.request({ method: 'GET', peer: s.clientPeer, path: '/3/0/0' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
  });
});

describe('Write', () => {
  it('replaces a resource (PUT) and partially updates an instance (POST)', async () => {
    const s = await ready([{ id: 3308, instances: { 0: new SimpleInstance({ values: { 5900: 20, 5701: 'Cel' } }) } }]);
    expect((await req(s, 'PUT', '/3308/0/5900', { payload: '18', contentFormat: 0 })).code).toBe(CoapCode.CHANGED);
    expect((await req(s, 'GET', '/3308/0/5900')).text()).toBe('18');
    const body = codecs.encode(
      ContentFormat.SENML_JSON,
      codecs.decode(
        ContentFormat.SENML_JSON,
        new TextEncoder().encode('[{"bn":"/3308/0/","n":"5900","v":17.5}]'),
        LwM2mPath.parse('/3308/0'),
      ),
      LwM2mPath.parse('/3308/0'),
    );
    expect((await req(s, 'POST', '/3308/0', { payload: body, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.CHANGED,
    );
    expect((await req(s, 'GET', '/3308/0/5900')).text()).toBe('17.5');
    expect((await req(s, 'GET', '/3308/0/5701')).text()).toBe('Cel'); // untouched by the partial update
  });

  it('a replacing Write of an instance drops writable resources it leaves out', async () => {
    const s = await ready([
      { id: 3308, instances: { 0: new SimpleInstance({ values: { 5900: 20, 5701: 'Cel', 5750: 'heating' } }) } },
    ]);
    const payload = new TextEncoder().encode('[{"bn":"/3308/0/","n":"5900","v":22}]');
    expect((await req(s, 'PUT', '/3308/0', { payload, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.CHANGED,
    );
    expect((await req(s, 'GET', '/3308/0/5750')).code).toBe(CoapCode.NOT_FOUND); // writable, left out: gone
    expect((await req(s, 'GET', '/3308/0/5701')).text()).toBe('Cel'); // read-only: kept
  });

  it('merges resource instances on partial update and on a resource-instance Write', async () => {
    // Access Control /2/0/2 is a multiple writable resource (ACL checks are off with one server).
    const acl = new SimpleInstance({ values: { 0: 3303, 1: 0, 2: new Map([[1, 1]]), 3: 1 } });
    const s = await ready([{ id: 2, instances: { 0: acl } }]);
    const add = new TextEncoder().encode('[{"bn":"/2/0/2/","n":"2","v":3}]');
    expect((await req(s, 'POST', '/2/0/2', { payload: add, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.CHANGED,
    );
    expect((await req(s, 'PUT', '/2/0/2/5', { payload: '7', contentFormat: 0 })).code).toBe(CoapCode.CHANGED);
    const rights = acl.get(2) as ReadonlyMap<number, { value: unknown }>;
    expect([...rights].map(([k, v]) => [k, v.value])).toEqual([
      [1, 1],
      [2, 3],
      [5, 7],
    ]);
    // A replacing Write of the resource keeps only what it carries.
    const replace = new TextEncoder().encode('[{"bn":"/2/0/2/","n":"9","v":1}]');
    expect((await req(s, 'PUT', '/2/0/2', { payload: replace, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.CHANGED,
    );
    expect([...(acl.get(2) as ReadonlyMap<number, unknown>).keys()]).toEqual([9]);
  });

  it('refuses bad writes with clear codes and leaves values alone', async () => {
    const s = await ready();
    const ro = await req(s, 'PUT', '/3/0/0', { payload: 'Evil Corp', contentFormat: 0 });
    expect(ro.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect(ro.text()).toContain('not writable');
    expect((await req(s, 'PUT', '/1/0/1', { payload: 'soon', contentFormat: 0 })).code).toBe(CoapCode.BAD_REQUEST);
    expect((await req(s, 'PUT', '/1/0/1', { payload: '600', contentFormat: 9999 })).code).toBe(
      CoapCode.UNSUPPORTED_CONTENT_FORMAT,
    );
    const malformed = await req(s, 'PUT', '/1/0', {
      payload: new Uint8Array([0xc8, 0x01, 0x05]),
      contentFormat: ContentFormat.LWM2M_TLV,
    });
    expect(malformed.code).toBe(CoapCode.BAD_REQUEST);
    const junkCbor = await req(s, 'PUT', '/1/0', { payload: new Uint8Array([0xff, 0x00]), contentFormat: 112 });
    expect(junkCbor.code).toBe(CoapCode.BAD_REQUEST);
    expect((await req(s, 'PUT', '/1', { payload: '1', contentFormat: 0 })).code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect((await req(s, 'PUT', '/1/0/9999', { payload: '1', contentFormat: 0 })).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'GET', '/3/0/0')).text()).toBe('Open Mobile Alliance');
    expect((await req(s, 'GET', '/1/0/1')).text()).toBe('300');
  });
});

describe('Execute', () => {
  it('runs the action with parsed arguments; 4.05 on non-executable, 4.00 on bad arguments', async () => {
    const calls: (readonly ExecuteArgument[])[] = [];
    const s = await ready([
      {
        id: 3340,
        instances: {
          0: new SimpleInstance({ values: { 5521: 10 }, execute: { 5523: (args) => void calls.push(args) } }),
        },
      },
    ]);
    expect((await req(s, 'POST', '/3340/0/5523', { payload: "0='a',1" })).code).toBe(CoapCode.CHANGED);
    expect(calls).toEqual([
      [
        { digit: 0, value: 'a' },
        { digit: 1, value: undefined },
      ],
    ]);
    expect((await req(s, 'POST', '/3340/0/5523', { payload: "0='a" })).code).toBe(CoapCode.BAD_REQUEST);
    const notExecutable = await req(s, 'POST', '/3/0/13');
    expect(notExecutable.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect(notExecutable.text()).toContain('not executable');
    expect((await req(s, 'POST', '/3340/0/9999')).code).toBe(CoapCode.NOT_FOUND);
    expect(calls).toHaveLength(1);
  });

  it('factory reset: POST /3/0/5 answers 2.04 and then calls the hook', async () => {
    const s = setup();
    const resets: string[] = [];
    const device = s.client.objects.get(3)!;
    const { deviceInstance } = await import('../src/index');
    // The hook stops the client (as a real factory reset would): the 2.04 must be out first.
    device.add(
      0,
      deviceInstance({
        manufacturer: 'X',
        factoryReset: async (r) => {
          resets.push(r.kind);
          await s.client.stop({ deregister: false });
        },
      }),
    );
    await started(s);
    const pending = req(s, 'POST', '/3/0/5');
    await settle();
    const res = await pending;
    expect(res.code).toBe(CoapCode.CHANGED);
    expect(res.payload).toHaveLength(0);
    expect(resets).toEqual(['server']);
  });
});

describe('Create and Delete', () => {
  it('creates with and without an instance id (2.01 + Location), updates the registration, deletes', async () => {
    const s = await ready([{ id: 3303, instances: {} }]);
    const withId = new TextEncoder().encode('[{"bn":"/3303/4/","n":"5700","v":21.5}]');
    const created = await req(s, 'POST', '/3303', { payload: withId, contentFormat: ContentFormat.SENML_JSON });
    expect(created.code).toBe(CoapCode.CREATED);
    expect(created.locationPath).toEqual(['3303', '4']);
    // LwM2M 1.0 style: TLV of resources only, the client picks the id.
    const tlv = codecs.encode(
      ContentFormat.LWM2M_TLV,
      codecs.decode(
        ContentFormat.SENML_JSON,
        new TextEncoder().encode('[{"bn":"/3303/0/5700","v":19}]'),
        LwM2mPath.parse('/3303/0/5700'),
        lookup,
      ),
      LwM2mPath.parse('/3303/0/5700'),
    );
    const picked = await req(s, 'POST', '/3303', { payload: tlv, contentFormat: ContentFormat.LWM2M_TLV });
    expect(picked.code).toBe(CoapCode.CREATED);
    expect(picked.locationPath).toEqual(['3303', '0']);
    expect((await req(s, 'GET', '/3303/0/5700')).text()).toBe('19');
    expect((await req(s, 'POST', '/3303', { payload: withId, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.BAD_REQUEST,
    );
    await settle();
    expect(s.server.of('POST', '/rd/r1').at(-1)!.payload).toContain('</3303/0>,</3303/4>');
    expect((await req(s, 'DELETE', '/3303/4')).code).toBe(CoapCode.DELETED);
    expect((await req(s, 'GET', '/3303/4')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'DELETE', '/3303/4')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'DELETE', '/3303')).code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect((await req(s, 'DELETE', '/3/0')).code).toBe(CoapCode.METHOD_NOT_ALLOWED);
  });

  it('refuses Create on a single-instance object and without a mandatory writable resource', async () => {
    const s = await ready([{ id: 3303, instances: {} }]);
    const device = new TextEncoder().encode('[{"bn":"/3/1/","n":"16","vs":"U"}]');
    expect((await req(s, 'POST', '/3', { payload: device, contentFormat: ContentFormat.SENML_JSON })).code).toBe(
      CoapCode.METHOD_NOT_ALLOWED,
    );
    const noLifetime = new TextEncoder().encode(
      '[{"bn":"/1/5/","n":"0","v":7},{"n":"7","vs":"U"},{"n":"6","vb":true}]',
    );
    const res = await req(s, 'POST', '/1', { payload: noLifetime, contentFormat: ContentFormat.SENML_JSON });
    expect(res.code).toBe(CoapCode.BAD_REQUEST);
    expect(res.text()).toContain('/1/5/1');
    expect((await req(s, 'GET', '/1/5')).code).toBe(CoapCode.NOT_FOUND);
  });
});

describe('version differences', () => {
  it('LwM2M 1.0: TLV by default, no composite operations', async () => {
    const s = await ready([], { lwm2mVersion: '1.0' });
    const device = await req(s, 'GET', '/3/0');
    expect(device.contentFormat).toBe(ContentFormat.LWM2M_TLV);
    const fetch = await req(s, 'FETCH', '/', {
      contentFormat: ContentFormat.SENML_JSON,
      payload: new TextEncoder().encode('[{"n":"/3/0/0"}]'),
    });
    expect(fetch.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
  });

  it('LwM2M 1.2: Delete of a resource instance keeps the other instances', async () => {
    const acl = new SimpleInstance({
      values: {
        0: 3,
        1: 0,
        2: new Map([
          [1, 1],
          [2, 3],
        ]),
        3: 1,
      },
    });
    const s = await ready([{ id: 2, instances: { 0: acl } }], { lwm2mVersion: '1.2' });
    expect((await req(s, 'DELETE', '/2/0/2/1')).code).toBe(CoapCode.DELETED);
    expect([...(acl.get(2) as ReadonlyMap<number, unknown>).keys()]).toEqual([2]);
    expect((await req(s, 'DELETE', '/2/0/2/1')).code).toBe(CoapCode.NOT_FOUND);
    expect((await req(s, 'DELETE', '/3/0/11/0')).code).toBe(CoapCode.METHOD_NOT_ALLOWED); // read-only resource
    const s11 = await ready([{ id: 2, instances: { 0: new SimpleInstance({ values: { 0: 3, 1: 0, 3: 1 } }) } }]);
    expect((await req(s11, 'DELETE', '/2/0/2/1')).code).toBe(CoapCode.METHOD_NOT_ALLOWED);
  });
});

describe('device-side API', () => {
  it('setValue types, validates and notifies; read returns nodes', async () => {
    const s = await ready([{ id: 3308, instances: { 0: new SimpleInstance({ values: { 5900: 20 } }) } }]);
    await s.client.setValue('/3308/0/5900', 18.5);
    expect((await req(s, 'GET', '/3308/0/5900')).text()).toBe('18.5');
    const node = await s.client.read('/3308/0/5900');
    expect(node).toMatchObject({ kind: 'resource', value: { type: 'float', value: 18.5 } });
    await expect(s.client.setValue('/3308/0/5900', 'warm')).rejects.toThrow();
    await expect(s.client.setValue('/3308/0', 1)).rejects.toThrow(RangeError);
    await expect(s.client.setValue('/3308/4/5900', 1)).rejects.toThrow(/does not exist/);
    await s.client.setValue('/3/0/9', 50); // read-only for servers, settable by the device
    expect((await req(s, 'GET', '/3/0/9')).text()).toBe('50');
    await expect(s.client.setValue('/3/0/9', 101)).rejects.toThrow(/outside/);
  });
});
