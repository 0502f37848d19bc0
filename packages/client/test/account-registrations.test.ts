/**
 * Registrations follow the server accounts at run time: an account deleted by a DM Delete (or
 * by the device) is de-registered once and never updated again; an account created by a DM
 * Create or by the device registers as at start; a malformed account is reported once as an
 * `error` event and never registers.
 */
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AclRight,
  accessControlInstance,
  type InstanceEnabler,
  LwM2mClient,
  type ObjectDefinition,
  SimpleInstance,
  securityInstance,
  serverInstance,
} from '../src/index';
import { FakeServer, serverAccount, settle, startTwoServerClient } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const senml = (text: string) => new TextEncoder().encode(text);
/** Registers (POST /rd itself, not Updates under it). */
const registers = (server: FakeServer) => server.received.filter((r) => r.method === 'POST' && r.path === '/rd');
const log = (server: FakeServer) => server.received.map((r) => `${r.method} ${r.path}`);

/** Server A (Short Server ID 1, lifetime 300 s) and B (2, lifetime 100 s), both registered. */
async function twoServers(extra: ObjectDefinition[] = [], b: { retryTimer?: number; register?: boolean } = {}) {
  const errors: { error: unknown; where: string }[] = [];
  const deregistered: number[] = [];
  const parts = await startTwoServerClient({
    objects: extra,
    accountB: { lifetime: 100, retryTimer: b.retryTimer ?? 60, retryCount: 5, bootstrapOnFailure: false },
    beforeStart: ({ client, b: bs }) => {
      if (b.register === false) bs.registerCode = CoapCode.FORBIDDEN;
      client.events.on('error', (e) => errors.push(e));
      client.events.on('deregistered', (e) => deregistered.push(e.shortServerId));
    },
  });
  return { ...parts, errors, deregistered };
}

/** ACL: server 1 may delete /1/1 (server 2's account) when `deleteRight`; the objects A and B need. */
const acl = (deleteRight: boolean): ObjectDefinition => ({
  id: 2,
  instances: {
    0: accessControlInstance({ objectId: 1, instanceId: 0, rights: {}, owner: 1 }),
    1: accessControlInstance({
      objectId: 1,
      instanceId: 1,
      rights: { 1: deleteRight ? AclRight.DELETE | AclRight.READ : AclRight.READ },
      owner: 2,
    }),
  },
});

describe('an account deleted at run time ends its registration', () => {
  it('server A deletes server B’s /1 instance (ACL allows it): B gets one De-register, no Update after', async () => {
    const t = await twoServers([acl(true)]);
    expect(t.client.servers().map((s) => [s.shortServerId, s.registered])).toEqual([
      [1, true],
      [2, true],
    ]);
    const res = await t.a.endpoint.request({ method: 'DELETE', peer: t.peerA, path: '/1/1' });
    expect(res.code, res.text()).toBe(CoapCode.DELETED);
    await settle();
    expect(t.b.of('DELETE', '/rd')).toHaveLength(1);
    expect(t.b.of('DELETE', '/rd')[0]!.path).toBe('/rd/r1');
    expect(t.deregistered).toEqual([2]);
    expect(t.client.servers().map((s) => s.shortServerId)).toEqual([1]);

    // B's lifetime (100 s) runs out three times over: nothing more goes to B; A carries on.
    await vi.advanceTimersByTimeAsync(300_000);
    await settle();
    expect(t.b.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /rd', 'DELETE /rd/r1']);
    expect(t.a.of('POST', '/rd/r1').length).toBeGreaterThanOrEqual(1);
    // B is no longer a server of this client.
    const read = await t.b.endpoint.request({ method: 'GET', peer: t.peerB, path: '/3/0' });
    expect(read.code).not.toBe(CoapCode.CONTENT);
    expect(t.errors).toEqual([]);
  });

  it('without the ACL Delete right the Delete is refused and B stays registered', async () => {
    const t = await twoServers([acl(false), { id: 3, instances: { 0: new SimpleInstance() } }]);
    const res = await t.a.endpoint.request({ method: 'DELETE', peer: t.peerA, path: '/1/1' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    await vi.advanceTimersByTimeAsync(90_000);
    await settle();
    expect(t.b.of('DELETE', '/rd')).toEqual([]);
    expect(t.b.of('POST', '/rd/r1')).toHaveLength(1);
  });

  it('the device removing B’s Security instance stops its registration the same way', async () => {
    const t = await twoServers();
    t.client.objects.get(0)!.remove(1);
    await settle();
    expect(t.b.of('DELETE', '/rd/r1')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(t.b.of('POST', '/rd/r1')).toEqual([]);
  });

  it('an account deleted while its Register is being retried is not retried any more', async () => {
    const t = await twoServers([], { register: false, retryTimer: 10 });
    expect(registers(t.b)).toHaveLength(1);
    t.client.objects.get(1)!.remove(1);
    await vi.advanceTimersByTimeAsync(1_000_000);
    await settle();
    expect(registers(t.b)).toHaveLength(1);
    expect(t.b.of('DELETE', '/rd')).toEqual([]); // never registered: nothing to de-register
    expect(t.deregistered).toEqual([]);
  });

  it('an account deleted while its Register is out: the late registration is de-registered, never updated', async () => {
    const t = await twoServers();
    const c = new FakeServer(t.network.transport('server-c', { port: 5683 }), 'server-c');
    t.network.setConditions({ delayMs: 5_000 }, 'server-c', 'dev'); // C answers late
    const registered: number[] = [];
    t.client.events.on('registered', (e) => registered.push(e.shortServerId));
    const acc = serverAccount(c, 3, { lifetime: 60 });
    t.client.objects.get(0)!.add(2, acc.security);
    t.client.objects.get(1)!.add(2, acc.server);
    await settle(10);
    expect(log(c)).toEqual(['POST /rd']);
    t.client.objects.get(1)!.remove(2);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(log(c)).toEqual(['POST /rd', 'DELETE /rd/r1']);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(log(c)).toEqual(['POST /rd', 'DELETE /rd/r1']);
    expect(registered).toEqual([]);
    expect(t.client.servers().map((s) => s.shortServerId)).toEqual([1, 2]);
  });

  it('an unreachable server is told once (CoAP retransmissions only), then forgotten', async () => {
    const t = await twoServers();
    t.network.setConditions({ loss: 1 }, 'dev', 'server-b');
    t.client.objects.get(1)!.remove(1);
    expect(t.client.servers().map((s) => s.shortServerId)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(600_000);
    await settle();
    expect(t.deregistered).toEqual([2]); // after the exchange timed out
    t.network.setConditions({}, 'dev', 'server-b');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.b.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /rd']);
    expect(t.errors).toEqual([]);
  });
});

describe('an account created at run time registers', () => {
  it('the device adds /0 and /1 instances for a new server: a Register arrives there', async () => {
    const t = await twoServers();
    const c = new FakeServer(t.network.transport('server-c', { port: 5683 }), 'server-c');
    const registered = t.client.events.once('registered');
    const acc = serverAccount(c, 3, { lifetime: 200 });
    t.client.objects.get(0)!.add(2, acc.security);
    await settle();
    expect(c.received).toEqual([]); // a Security instance alone is no account
    t.client.objects.get(1)!.add(2, acc.server);
    await settle(10);
    expect(log(c)).toEqual(['POST /rd']);
    expect(registers(c)[0]!.query).toEqual(['ep=two-servers', 'lt=200', 'lwm2m=1.1', 'b=U']);
    expect(await registered).toMatchObject({ shortServerId: 3 });
    expect(t.client.servers().map((s) => [s.shortServerId, s.registered])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    // A and B hear of the new /1/2 instance in an Update; none registers again.
    expect(registers(t.a)).toHaveLength(1);
    expect(t.a.of('POST', '/rd/r1').at(-1)?.payload).toContain('</1/2>');
    await vi.advanceTimersByTimeAsync(180_000);
    expect(c.of('POST', '/rd/r1')).toHaveLength(1); // its own lifetime drives its Updates
  });

  it('a server creates the /1 instance (DM Create) for a Security instance the device holds', async () => {
    const network = new MemoryNetwork();
    const a = new FakeServer(network.transport('server-a', { port: 5683 }), 'server-a');
    const c = new FakeServer(network.transport('server-c', { port: 5683 }), 'server-c');
    const clientTransport = network.transport('dev', { port: 40001 });
    const accA = serverAccount(a, 1);
    const client = new LwM2mClient({
      endpointName: 'dev',
      transport: clientTransport,
      objects: [
        { id: 0, instances: { 0: accA.security, 1: securityInstance({ uri: c.uri, shortServerId: 7 }) } },
        { id: 1, instances: { 0: accA.server } },
      ],
    });
    const starting = client.start();
    await settle();
    await starting;
    expect(c.received).toEqual([]);
    const res = await a.endpoint.request({
      method: 'POST',
      peer: a.transport.peerOf(clientTransport),
      path: '/1',
      contentFormat: ContentFormat.SENML_JSON,
      payload: senml('[{"bn":"/1/5/","n":"0","v":7},{"n":"1","v":90},{"n":"6","vb":false},{"n":"7","vs":"U"}]'),
    });
    expect(res.code, res.text()).toBe(CoapCode.CREATED);
    await settle(10);
    expect(log(c)).toEqual(['POST /rd']);
    expect(registers(c)[0]!.query).toContain('lt=90');
    expect(client.servers().map((s) => s.shortServerId)).toEqual([1, 7]);
  });

  it('before start nothing registers; start registers every account once', async () => {
    const network = new MemoryNetwork();
    const a = new FakeServer(network.transport('server-a', { port: 5683 }), 'server-a');
    const c = new FakeServer(network.transport('server-c', { port: 5683 }), 'server-c');
    const accA = serverAccount(a, 1);
    const accC = serverAccount(c, 3);
    const client = new LwM2mClient({
      endpointName: 'dev',
      transport: network.transport('dev', { port: 40001 }),
      objects: [
        { id: 0, instances: { 0: accA.security } },
        { id: 1, instances: { 0: accA.server } },
      ],
    });
    client.objects.get(0)!.add(1, accC.security);
    client.objects.get(1)!.add(1, accC.server);
    await settle();
    expect(a.received).toEqual([]);
    expect(c.received).toEqual([]);
    const starting = client.start();
    await settle();
    await starting;
    expect(registers(a)).toHaveLength(1);
    expect(registers(c)).toHaveLength(1);
  });
});

describe('an account whose URI or binding changes', () => {
  it('a new Server URI: De-register at the old server, Register at the new one', async () => {
    const t = await twoServers();
    const moved = new FakeServer(t.network.transport('moved', { port: 5683 }), 'moved');
    (t.client.objects.get(0)!.instance(1) as SimpleInstance).set(0, moved.uri);
    t.client.valueChanged('/0/1/0');
    await settle(10);
    expect(t.b.of('DELETE', '/rd/r1')).toHaveLength(1);
    expect(registers(moved)).toHaveLength(1);
    expect(t.client.servers()).toMatchObject([
      { shortServerId: 1, registered: true },
      { shortServerId: 2, uri: moved.uri, registered: true },
    ]);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(t.b.of('POST', '/rd/r1')).toEqual([]);
    expect(moved.of('POST', '/rd/r1').length).toBeGreaterThanOrEqual(1);
  });

  it('a new binding goes out in an Update (b=), the registration stays', async () => {
    const t = await twoServers();
    const res = await t.b.endpoint.request({
      method: 'PUT',
      peer: t.peerB,
      path: '/1/1/7',
      contentFormat: ContentFormat.TEXT_PLAIN,
      payload: 'T',
    });
    expect(res.code, res.text()).toBe(CoapCode.CHANGED);
    await settle();
    expect(t.b.of('POST', '/rd/r1')).toMatchObject([{ query: ['b=T'] }]);
    expect(registers(t.b)).toHaveLength(1);
  });
});

/** An instance whose reads return whatever it is given, typed or not (a buggy enabler). */
function rawInstance(values: Record<number, { type: string; value: unknown }>): InstanceEnabler {
  return {
    resourceIds: () => Object.keys(values).map(Number),
    read: (id) => values[id] as never,
    write: () => {},
    execute: () => {},
  };
}

describe('malformed accounts are reported, never registered', () => {
  const cases: [string, () => { security: InstanceEnabler; server: InstanceEnabler }, RegExp][] = [
    [
      'no Server URI',
      () => ({
        security: new SimpleInstance({ values: { 1: false, 2: 3, 10: 3 } }),
        server: serverInstance({ shortServerId: 3 }),
      }),
      /server account 3 \(\/1\/2\) ignored: its Security instance \/0\/2 has no Server URI/,
    ],
    [
      'a Server URI that is not a CoAP URI',
      () => ({
        security: securityInstance({ uri: 'not a uri', shortServerId: 3 }),
        server: serverInstance({ shortServerId: 3 }),
      }),
      /the Server URI \(\/0\/2\/0\) "not a uri" is not usable/,
    ],
    [
      'a Server URI of the wrong type',
      () => ({
        security: rawInstance({
          0: { type: 'integer', value: 5 },
          1: { type: 'boolean', value: false },
          10: { type: 'integer', value: 3 },
        }),
        server: serverInstance({ shortServerId: 3 }),
      }),
      /the Server URI \(\/0\/2\/0\) is 5 \(number\), expected a string/,
    ],
    [
      'Short Server ID 0',
      () => ({
        security: securityInstance({ uri: 'coap://server-c:5683', shortServerId: 0 }),
        server: serverInstance({ shortServerId: 0 }),
      }),
      /\/1\/2 ignored: Short Server ID \(\/1\/2\/0\) is 0 \(number\), expected an integer from 1 to 65534/,
    ],
    [
      'Short Server ID 65535',
      () => ({
        security: securityInstance({ uri: 'coap://server-c:5683', shortServerId: 65535 }),
        server: serverInstance({ shortServerId: 65535 }),
      }),
      /Short Server ID \(\/1\/2\/0\) is 65535/,
    ],
    [
      'a Short Server ID of the wrong type',
      () => ({
        security: securityInstance({ uri: 'coap://server-c:5683', shortServerId: 3 }),
        server: rawInstance({ 0: { type: 'string', value: '3' }, 1: { type: 'integer', value: 60 } }),
      }),
      /Short Server ID \(\/1\/2\/0\) is "3", expected an integer/,
    ],
    [
      'a Lifetime of the wrong type',
      () => ({
        security: securityInstance({ uri: 'coap://server-c:5683', shortServerId: 3 }),
        server: rawInstance({ 0: { type: 'integer', value: 3 }, 1: { type: 'string', value: 'soon' } }),
      }),
      /server account 3 \(\/1\/2\) ignored: Lifetime \(\/1\/2\/1\) is "soon", expected a number/,
    ],
  ];

  it.each(cases)('%s: one error event, no Register, the other servers carry on', async (_name, make, message) => {
    const t = await twoServers();
    const c = new FakeServer(t.network.transport('server-c', { port: 5683 }), 'server-c');
    const { security, server } = make();
    t.client.objects.get(0)!.add(2, security);
    t.client.objects.get(1)!.add(2, server);
    await settle(10);
    expect(t.errors.map((e) => e.where)).toEqual(['server account']);
    expect(String((t.errors[0]!.error as Error).message)).toMatch(message);
    expect(c.received).toEqual([]);
    expect(t.client.servers().map((s) => s.shortServerId)).toEqual([1, 2]);

    // Reported once, not on every change; the servers keep updating.
    t.client.valueChanged('/1/0/1');
    await settle();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(t.errors).toHaveLength(1);
    expect(c.received).toEqual([]);
    expect(t.a.of('POST', '/rd/r1').length).toBeGreaterThanOrEqual(1);
    expect(t.b.of('POST', '/rd/r1').length).toBeGreaterThanOrEqual(1);
  });

  it('an account made valid later (URI written) registers then', async () => {
    const t = await twoServers();
    const c = new FakeServer(t.network.transport('server-c', { port: 5683 }), 'server-c');
    const security = new SimpleInstance({ values: { 1: false, 2: 3, 10: 3 } });
    t.client.objects.get(0)!.add(2, security);
    t.client.objects.get(1)!.add(2, serverInstance({ shortServerId: 3 }));
    await settle(10);
    expect(t.errors).toHaveLength(1);
    await t.client.setValue('/0/2/0', c.uri);
    await settle(10);
    expect(registers(c)).toHaveLength(1);
    expect(t.errors).toHaveLength(1);
  });

  it('a client with only a malformed account and no bootstrap server refuses to start, with the reason', async () => {
    const network = new MemoryNetwork();
    const client = new LwM2mClient({
      endpointName: 'dev',
      transport: network.transport('dev', { port: 40001 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: 'coap://server:5683', shortServerId: 65535 }) } },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 65535 }) } },
      ],
    });
    const errors: string[] = [];
    client.events.on('error', (e) => errors.push(`${e.where}: ${(e.error as Error).message}`));
    await expect(client.start()).rejects.toThrow(/no LwM2M server/);
    expect(errors).toEqual([
      'server account: server account /1/0 ignored: Short Server ID (/1/0/0) is 65535 (number), expected an integer from 1 to 65534',
    ]);
  });
});
