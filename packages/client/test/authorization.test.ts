import { Endpoint } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DirectAccessRule, ipsoSensor, LwM2mClient } from '../src/index';
import { type Setup, serverAccount, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sensorObjects = () => [{ id: 3303, instances: { 0: ipsoSensor({ value: 21, units: 'Cel' }) } }];

/** A CoAP endpoint on the same network that is not an LwM2M server (another device, a tool). */
function tool(s: Setup, name: string, port: number, identity?: { kind: 'psk'; identity: string }) {
  const transport = s.network.transport(name, { port, ...(identity ? { identity } : {}) });
  const endpoint = new Endpoint({ transport });
  return { endpoint, client: transport.peerOf(s.clientTransport) };
}

const get = (e: Endpoint, peer: ReturnType<typeof tool>['client'], path: string) =>
  e.request({ method: 'GET', peer, path });

describe('server accounts are served only while registered', () => {
  it('refuses (4.01) a server whose Register was refused, during the retries and after giving up', async () => {
    const s = setup(sensorObjects(), { server: { retryCount: 2, retryTimer: 60 } });
    s.server.registerCode = CoapCode.FORBIDDEN;
    const done = s.client.start();
    await settle();
    await done;
    expect(s.client.servers()[0]!.registered).toBe(false);
    // The account's peer is known (the Register went out), but there is no registration.
    const during = await get(s.server.endpoint, s.clientPeer, '/3303/0/5700');
    expect(during.code).toBe(CoapCode.UNAUTHORIZED);
    expect(during.text()).toContain('not registered');
    await vi.advanceTimersByTimeAsync(120_000);
    const after = await get(s.server.endpoint, s.clientPeer, '/3303/0/5700');
    expect(after.code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('serves a registered server, and refuses it again once its registration is lost', async () => {
    const s = setup(sensorObjects());
    await started(s);
    const ok = await get(s.server.endpoint, s.clientPeer, '/3303/0/5700');
    expect(ok.code).toBe(CoapCode.CONTENT);
    expect(ok.text()).toBe('21');
    // The server forgot the registration: the Update is answered 4.04 and the Register refused.
    s.server.updateCode = CoapCode.NOT_FOUND;
    s.server.registerCode = CoapCode.FORBIDDEN;
    await s.client.triggerUpdate();
    await settle();
    expect(s.client.servers()[0]!.registered).toBe(false);
    const refused = await get(s.server.endpoint, s.clientPeer, '/3303/0/5700');
    expect(refused.code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('refuses an unknown peer with 4.01', async () => {
    const s = setup(sensorObjects());
    await started(s);
    const t = tool(s, 'stranger', 7000);
    const res = await get(t.endpoint, t.client, '/3303/0/5700');
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });
});

describe('directAccess rules', () => {
  it('serves a matching peer only the operations its rule allows', async () => {
    const s = setup(sensorObjects(), {
      directAccess: [{ address: 'tool', port: 7000, operations: ['read'] }],
    });
    await started(s);
    const t = tool(s, 'tool', 7000);
    const read = await get(t.endpoint, t.client, '/3303/0/5700');
    expect(read.code).toBe(CoapCode.CONTENT);
    expect(read.text()).toBe('21');
    const discover = await t.endpoint.request({
      method: 'GET',
      peer: t.client,
      path: '/3303/0',
      accept: ContentFormat.LINK_FORMAT,
    });
    expect(discover.code).toBe(CoapCode.CONTENT);
    const write = await t.endpoint.request({
      method: 'PUT',
      peer: t.client,
      path: '/3/0/15',
      contentFormat: ContentFormat.TEXT_PLAIN,
      payload: new TextEncoder().encode('Europe/Paris'),
    });
    expect(write.code).toBe(CoapCode.UNAUTHORIZED);
    const execute = await t.endpoint.request({ method: 'POST', peer: t.client, path: '/3/0/4' });
    expect(execute.code).toBe(CoapCode.UNAUTHORIZED);
    // Keys stay with the bootstrap server whatever a rule says.
    expect((await get(t.endpoint, t.client, '/0/0')).code).toBe(CoapCode.UNAUTHORIZED);
    // The same address from another port is not the rule's peer.
    const other = tool(s, 'tool', 7001);
    expect((await get(other.endpoint, other.client, '/3303/0/5700')).code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('a direct peer observes, and gets notifications on the endpoint it asked on', async () => {
    const sensor = ipsoSensor({ value: 21 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      directAccess: [{ address: 'tool', operations: ['read'] }],
    });
    await started(s);
    const t = tool(s, 'tool', 7000);
    const texts: string[] = [];
    const obs = t.endpoint.observe({ peer: t.client, path: '/3303/0/5700' });
    void (async () => {
      for await (const n of obs) texts.push(n.text());
    })();
    await settle();
    sensor.update(22.5);
    await settle();
    expect(texts).toEqual(['21', '22.5']);
    expect(s.client.observationsList()).toEqual([{ server: 'peer:tool|7000', coapPath: '/3303/0/5700' }]);
    obs.cancel();
    await s.client.stop({ deregister: false });
  });

  it('one host on many ports: only its observer keeps an entry, and its notifications still flow', async () => {
    const sensor = ipsoSensor({ value: 21 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      directAccess: [{ address: 'tool', operations: ['read'] }],
    });
    await started(s);
    // The router is internal; its table of direct callers is what must stay bounded.
    const router = (s.client as unknown as { router: { directCallers: number } }).router;
    const watcher = tool(s, 'tool', 7000);
    const texts: string[] = [];
    const obs = watcher.endpoint.observe({ peer: watcher.client, path: '/3303/0/5700' });
    void (async () => {
      for await (const n of obs) texts.push(n.text());
    })();
    await settle();
    for (let port = 8000; port < 8200; port++) {
      const t = tool(s, 'tool', port);
      expect((await get(t.endpoint, t.client, '/3303/0/5700')).code).toBe(CoapCode.CONTENT);
    }
    expect(router.directCallers).toBe(1);
    sensor.update(22.5);
    await settle();
    expect(texts).toEqual(['21', '22.5']);
    obs.cancel();
    await s.client.stop({ deregister: false });
  });

  it('matches the transport identity: the same address with another identity, or none, is refused', async () => {
    const s = setup(sensorObjects(), {
      directAccess: [{ address: 'tool', identity: { kind: 'psk', identity: 'tool-a' }, operations: ['read'] }],
    });
    await started(s);
    const real = tool(s, 'tool', 7000, { kind: 'psk', identity: 'tool-a' });
    expect((await get(real.endpoint, real.client, '/3303/0/5700')).code).toBe(CoapCode.CONTENT);
    const spoofed = tool(s, 'tool', 7001, { kind: 'psk', identity: 'evil' });
    expect((await get(spoofed.endpoint, spoofed.client, '/3303/0/5700')).code).toBe(CoapCode.UNAUTHORIZED);
    const anonymous = tool(s, 'tool', 7002);
    expect((await get(anonymous.endpoint, anonymous.client, '/3303/0/5700')).code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('a rule without identity does not let an authenticated peer in on its address alone', async () => {
    const s = setup(sensorObjects(), { directAccess: [{ address: 'tool', operations: ['read'] }] });
    await started(s);
    const dtls = tool(s, 'tool', 7000, { kind: 'psk', identity: 'someone' });
    expect((await get(dtls.endpoint, dtls.client, '/3303/0/5700')).code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('aclServerId: the peer gets the rights of that server', async () => {
    const s = setup(sensorObjects(), { directAccess: [{ address: 'tool', aclServerId: 1 }] });
    await started(s);
    const t = tool(s, 'tool', 7000);
    const write = await t.endpoint.request({
      method: 'PUT',
      peer: t.client,
      path: '/3/0/15',
      contentFormat: ContentFormat.TEXT_PLAIN,
      payload: new TextEncoder().encode('Europe/Paris'),
    });
    expect(write.code).toBe(CoapCode.CHANGED);
    expect((await get(t.endpoint, t.client, '/0/0')).code).toBe(CoapCode.UNAUTHORIZED);
    await s.client.stop({ deregister: false });
  });

  it('refuses malformed rules when the client is built', () => {
    const s = setup();
    const account = serverAccount(s.server);
    const build = (rules: DirectAccessRule[]) => () =>
      new LwM2mClient({
        endpointName: 'x',
        transport: s.network.transport('x'),
        objects: [
          { id: 0, instances: { 0: account.security } },
          { id: 1, instances: { 0: account.server } },
        ],
        directAccess: rules,
      });
    expect(build([{ operations: ['read'] }])).toThrow(/would match every peer/);
    expect(build([{ address: 'a' }])).toThrow(/exactly one of operations and aclServerId/);
    expect(build([{ address: 'a', operations: ['read'], aclServerId: 1 }])).toThrow(/exactly one/);
    expect(build([{ address: 'a', operations: ['steal' as never] }])).toThrow(/unknown operation/);
    expect(build([{ address: 'a', aclServerId: 0 }])).toThrow(/Short Server ID/);
    expect(build([{ address: 'a', port: 70000, operations: ['read'] }])).toThrow(/port/);
  });
});
