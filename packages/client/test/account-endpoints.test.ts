/** One Endpoint per account from the transport factory (MemoryNetwork, fake timers). */
import { Endpoint } from '@lwm2m-ts/coap';
import { MemoryNetwork, type MemoryTransport } from '@lwm2m-ts/coap/testing';
import { CoapCode } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AccountSecurity, deviceInstance, LwM2mClient, securityInstance, serverInstance } from '../src/index';
import { FakeServer, settle } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('account endpoints', () => {
  it('builds one transport per account and answers only that account’s server on it', async () => {
    const network = new MemoryNetwork();
    const a = new FakeServer(network.transport('server-a', { port: 5683 }), 'server-a');
    const b = new FakeServer(network.transport('server-b', { port: 5683 }), 'server-b');
    const built: [AccountSecurity, MemoryTransport][] = [];
    const client = new LwM2mClient({
      endpointName: 'per-account',
      transportFactory: async (account) => {
        const t = network.transport(`dev-${account.shortServerId}`, { port: 40000 });
        built.push([account, t]);
        return { transport: t };
      },
      objects: [
        {
          id: 0,
          instances: {
            0: securityInstance({ uri: a.uri, shortServerId: 1, identity: 'id-a' }),
            1: securityInstance({ uri: b.uri, shortServerId: 2, identity: 'id-b' }),
          },
        },
        {
          id: 1,
          instances: {
            0: serverInstance({ shortServerId: 1, lifetime: 300 }),
            1: serverInstance({ shortServerId: 2, lifetime: 300 }),
          },
        },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Acme' }) } },
      ],
    });
    const starting = client.start();
    await settle();
    await starting;
    expect(built.map(([acc]) => [acc.shortServerId, acc.serverUri, new TextDecoder().decode(acc.publicKey)])).toEqual([
      [1, a.uri, 'id-a'],
      [2, b.uri, 'id-b'],
    ]);
    expect(a.of('POST', '/rd')).toHaveLength(1);
    expect(b.of('POST', '/rd')).toHaveLength(1);
    const [, devA] = built[0]!;
    const [, devB] = built[1]!;

    const read = (e: Endpoint, to: MemoryTransport, from: MemoryTransport) => {
      const p = e.request({ method: 'GET', peer: from.peerOf(to), path: '/3/0/0' });
      return settle().then(() => p);
    };
    // Each server reaches the client on the socket of its own account.
    expect((await read(a.endpoint, devA, a.transport)).text()).toBe('Acme');
    expect((await read(b.endpoint, devB, b.transport)).text()).toBe('Acme');
    // Server B on account A's socket, and a stranger, are refused.
    expect((await read(b.endpoint, devA, b.transport)).code).toBe(CoapCode.UNAUTHORIZED);
    const strangerTransport = network.transport('stranger', { port: 9999 });
    const stranger = new Endpoint({ transport: strangerTransport });
    expect((await read(stranger, devA, strangerTransport)).code).toBe(CoapCode.UNAUTHORIZED);

    const stopping = client.stop();
    await settle();
    await stopping;
    expect(a.of('DELETE', '/rd')).toHaveLength(1);
    expect(b.of('DELETE', '/rd')).toHaveLength(1);
    await stranger.close();
  });
});
