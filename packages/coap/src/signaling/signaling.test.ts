import {
  CoapCode,
  type CoapMessage,
  createAbort,
  createMessage,
  createRelease,
  decodeReliable,
  encodeReliable,
  readCsm,
} from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../../test/helpers';
import { CoapClosedError } from '../errors/coap-closed-error';
import { CoapResetError } from '../errors/coap-reset-error';
import type { CoapResponse } from '../response';
import { MemoryNetwork } from '../testing/index';
import type { Peer } from '../transport';

function rawStream(network: MemoryNetwork, name: string) {
  const transport = network.transport(name, { kind: 'stream' });
  const received: { msg: CoapMessage; from: Peer }[] = [];
  transport.onReceive((bytes, from) => received.push({ msg: decodeReliable(bytes, 'tcp'), from }));
  return { transport, received, send: (to: Peer, m: CoapMessage) => transport.send(to, encodeReliable(m, 'tcp')) };
}

describe.each(['stream', 'websocket'] as const)('reliable transport (%s, RFC 8323)', (kind) => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('request/response, block-wise and observe without message ids', async () => {
    const { server, client, serverPeer } = createPair({ kind });
    let v = 1;
    server.router.get('/r', () => ({ payload: `v${v}` }), { observable: true });
    server.router.put('/big', (req) => ({ payload: req.payload }));
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/r' })).text()).toBe('v1');
    const data = new Uint8Array(20_000).map((_, i) => i & 0xff);
    expect((await client.request({ method: 'PUT', peer: serverPeer, path: '/big', payload: data })).payload).toEqual(
      data,
    );
    const obs = client.observe({ peer: serverPeer, path: '/r' });
    const it = obs[Symbol.asyncIterator]();
    expect(((await it.next()).value as CoapResponse).text()).toBe('v1');
    v = 2;
    server.notify('/r');
    expect(((await it.next()).value as CoapResponse).text()).toBe('v2');
    await obs.cancel();
    expect(server.observerCount()).toBe(0);
  });

  it('ping/pong', async () => {
    const { client, serverPeer } = createPair({ kind });
    await expect(client.ping(serverPeer)).resolves.toBeUndefined();
  });
});

describe('RFC 8323 signaling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a CSM first on a connection and honours the peer Max-Message-Size for blocks', async () => {
    const network = new MemoryNetwork();
    const { Endpoint } = await import('../endpoint');
    const serverT = network.transport('server', { kind: 'stream', port: 5683 });
    const server = new Endpoint({ transport: serverT });
    server.router.get('/big', () => ({ payload: new Uint8Array(2000).fill(7) }));
    const raw = rawStream(network, 'raw');
    const to = raw.transport.peerOf(serverT);
    await raw.send(
      to,
      createMessage({
        code: CoapCode.CSM,
        options: [
          { number: 2, value: Uint8Array.of(0x01, 0x00) },
          { number: 4, value: new Uint8Array(0) },
        ],
      }),
    ); // 256 bytes, Block-Wise-Transfer
    await raw.send(
      to,
      createMessage({
        code: CoapCode.GET,
        token: Uint8Array.of(1),
        options: [{ number: 11, value: new TextEncoder().encode('big') }],
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    const [csm, res] = raw.received;
    expect(csm!.msg.code).toBe(CoapCode.CSM);
    expect(readCsm(csm!.msg)).toMatchObject({ blockWiseTransfer: true });
    expect(res!.msg.code).toBe(CoapCode.CONTENT);
    expect(res!.msg.payload.length).toBeLessThanOrEqual(128);
  });

  it('Abort fails the exchanges of that connection', async () => {
    const network = new MemoryNetwork();
    const { Endpoint } = await import('../endpoint');
    const client = new Endpoint({ transport: network.transport('client', { kind: 'stream' }) });
    const raw = rawStream(network, 'raw');
    const p = client.request({ method: 'GET', peer: raw.transport.selfPeer(), path: '/x' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received.map((r) => r.msg.code)).toEqual([CoapCode.CSM, CoapCode.GET]);
    await raw.send(raw.received[0]!.from, createAbort({ diagnostic: 'bye' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(CoapResetError.isInstance(await p)).toBe(true);
  });

  it('a closed connection fails requests and ends observations', async () => {
    const { network, server, client, serverPeer, serverTransport, clientTransport } = createPair({ kind: 'stream' });
    server.router.get('/slow', () => new Promise(() => {}));
    server.router.get('/o', () => ({ payload: 'o' }), { observable: true });
    const obs = client.observe({ peer: serverPeer, path: '/o' });
    await obs[Symbol.asyncIterator]().next();
    const p = client.request({ method: 'GET', peer: serverPeer, path: '/slow' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.observerCount()).toBe(1);
    network.disconnect(serverTransport, clientTransport);
    expect(CoapClosedError.isInstance(await p)).toBe(true);
    expect(server.observerCount()).toBe(0);
    await expect(obs[Symbol.asyncIterator]().next()).rejects.toThrow(/closed/);
  });

  it('answers Ping with Pong carrying the same token', async () => {
    const network = new MemoryNetwork();
    const { Endpoint } = await import('../endpoint');
    const serverT = network.transport('server', { kind: 'stream', port: 5683 });
    new Endpoint({ transport: serverT });
    const raw = rawStream(network, 'raw');
    await raw.send(raw.transport.peerOf(serverT), createMessage({ code: CoapCode.PING, token: Uint8Array.of(9, 9) }));
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[1]!.msg).toMatchObject({ code: CoapCode.PONG, token: Uint8Array.of(9, 9) });
  });

  it('a Pong without the Ping token answers the oldest Ping', async () => {
    const network = new MemoryNetwork();
    const { Endpoint } = await import('../endpoint');
    const client = new Endpoint({ transport: network.transport('client', { kind: 'stream' }) });
    const raw = rawStream(network, 'raw');
    const pinged = client.ping(raw.transport.selfPeer(), 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received.map((r) => r.msg.code)).toEqual([CoapCode.CSM, CoapCode.PING]);
    await raw.send(raw.received[0]!.from, createMessage({ code: CoapCode.PONG }));
    await vi.advanceTimersByTimeAsync(0);
    await expect(pinged).resolves.toBeUndefined();
  });

  it('after a Release, new requests on that connection fail with CoapClosedError', async () => {
    const network = new MemoryNetwork();
    const { Endpoint } = await import('../endpoint');
    const client = new Endpoint({ transport: network.transport('client', { kind: 'stream' }) });
    const raw = rawStream(network, 'raw');
    const first = client
      .request({ method: 'GET', peer: raw.transport.selfPeer(), path: '/a' })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    await raw.send(raw.received[0]!.from, createRelease({ diagnostic: 'maintenance' }));
    await vi.advanceTimersByTimeAsync(0);
    const second = await client
      .request({ method: 'GET', peer: raw.transport.selfPeer(), path: '/b' })
      .catch((e: unknown) => e);
    expect(CoapClosedError.isInstance(second)).toBe(true);
    // The request sent before the Release may still be answered.
    const req = raw.received.find((r) => r.msg.code === CoapCode.GET)!;
    await raw.send(req.from, createMessage({ code: CoapCode.CONTENT, token: req.msg.token }));
    await vi.advanceTimersByTimeAsync(0);
    expect(((await first) as CoapResponse).codeText).toBe('2.05');
  });
});
