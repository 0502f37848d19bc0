/** BERT (RFC 8323 §6): SZX 7, n × 1024-byte blocks bounded by the peer's Max-Message-Size, both roles. */
import { CoapCode, getOption, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../../test/helpers';
import { blocks, rawStream, requests, responses, tapSent } from '../../test/reliable-helpers';
import { Endpoint, type EndpointOptions } from '../endpoint';
import { MemoryNetwork } from '../testing/index';

const body = (n: number) => new Uint8Array(n).map((_, i) => (i * 31 + (i >> 8)) & 0xff);

function bertPair(server: Partial<EndpointOptions> = {}, client: Partial<EndpointOptions> = {}) {
  const pair = createPair({ kind: 'stream', server, client });
  const clientSent = tapSent(pair.clientTransport);
  const serverSent = tapSent(pair.serverTransport);
  // The CSMs cross before the test's first request.
  return { ...pair, clientSent, serverSent };
}

describe.each(['stream', 'websocket'] as const)('BERT over %s', (kind) => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('uploads (Block1) and downloads (Block2) in 8 KiB BERT blocks between two default endpoints', async () => {
    const pair = createPair({ kind });
    const clientSent = tapSent(pair.clientTransport);
    const serverSent = tapSent(pair.serverTransport);
    let stored: Uint8Array = new Uint8Array(0);
    pair.server.router.put('/fw', (req) => {
      stored = req.payload;
      return {};
    });
    pair.server.router.get('/fw', () => ({ payload: stored }));
    const data = body(20_000);

    expect(
      (await pair.client.request({ method: 'PUT', peer: pair.serverPeer, path: '/fw', payload: data })).codeText,
    ).toBe('2.04');
    expect(stored).toEqual(data);
    // Default Max-Message-Size 8320: 8 × 1024 bytes per block, numbers in 1024-byte units.
    expect(blocks(requests(clientSent), 1)).toEqual([
      [0, 7, 8192, true],
      [8, 7, 8192, true],
      [16, 7, 3616, false],
    ]);
    expect(blocks(responses(serverSent), 1)).toEqual([
      [0, 7, 0, true],
      [8, 7, 0, true],
      [16, 7, 0, false],
    ]);

    const res = await pair.client.request({ method: 'GET', peer: pair.serverPeer, path: '/fw' });
    expect(res.payload).toEqual(data);
    expect(blocks(responses(serverSent), 2)).toEqual([
      [0, 7, 8192, true],
      [8, 7, 8192, true],
      [16, 7, 3616, false],
    ]);
    expect(blocks(requests(clientSent), 2)).toEqual([
      [8, 7, 0, false],
      [16, 7, 0, false],
    ]);
    expect(getOption(responses(serverSent).at(-3)!, OptionNumber.SIZE2)).toBeDefined();
  });
});

describe('BERT limits and peers without BERT', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('bounds BERT blocks by the peer Max-Message-Size (3000 -> 2 × 1024), both directions', async () => {
    const { client, server, serverPeer, clientSent, serverSent } = bertPair({
      signaling: { maxMessageSize: 3000 },
    });
    server.router.post('/echo', (req) => ({ payload: req.payload }));
    const data = body(5000);
    await client.request({ method: 'GET', peer: serverPeer, path: '/none' }); // CSMs exchanged
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/echo', payload: data });
    expect(res.payload).toEqual(data);
    expect(blocks(requests(clientSent), 1)).toEqual([
      [0, 7, 2048, true],
      [2, 7, 2048, true],
      [4, 7, 904, false],
    ]);
    // The client announced 8320: the server's answer may use 8 KiB blocks, so it is whole.
    expect(blocks(responses(serverSent), 2)).toEqual([]);
    expect(responses(serverSent).at(-1)!.payload.length).toBe(5000);
  });

  it('no BERT when one end announced a Max-Message-Size of 1152: plain 1024-byte blocks', async () => {
    const { client, server, serverPeer, clientSent, serverSent } = bertPair({
      signaling: { maxMessageSize: 1152 },
    });
    server.router.post('/echo', (req) => ({ payload: req.payload }));
    const data = body(3000);
    await client.request({ method: 'GET', peer: serverPeer, path: '/none' });
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/echo', payload: data });
    expect(res.payload).toEqual(data);
    expect(blocks(requests(clientSent), 1).map(([n, z, l]) => [n, z, l])).toEqual([
      [0, 6, 1024],
      [1, 6, 1024],
      [2, 6, 952],
    ]);
    // The server does not do BERT with a peer either when its own CSM rules it out.
    expect(blocks(responses(serverSent), 2).map(([n, z, l]) => [n, z, l])).toEqual([
      [0, 6, 1024],
      [1, 6, 1024],
      [2, 6, 952],
    ]);
  });

  it('no BERT when we announced no Block-Wise-Transfer ourselves', async () => {
    const { client, server, serverPeer, clientSent } = bertPair({}, { signaling: { blockWiseTransfer: false } });
    server.router.put('/x', () => ({}));
    await client.request({ method: 'GET', peer: serverPeer, path: '/none' });
    await client.request({ method: 'PUT', peer: serverPeer, path: '/x', payload: body(9000) });
    expect(blocks(requests(clientSent), 1).map(([n, z]) => [n, z])).toEqual(
      Array.from({ length: 9 }, (_, i) => [i, 6]),
    );
  });

  it('an explicit block1Size / block2Size wins over BERT', async () => {
    const { client, server, serverPeer, clientSent, serverSent } = bertPair();
    server.router.put('/x', () => ({ payload: body(2000) }));
    await client.request({ method: 'GET', peer: serverPeer, path: '/none' });
    const res = await client.request({
      method: 'PUT',
      peer: serverPeer,
      path: '/x',
      payload: body(1500),
      block1Size: 512,
      block2Size: 1024,
    });
    expect(res.payload).toEqual(body(2000));
    expect(blocks(requests(clientSent), 1).map(([n, z]) => [n, z])).toEqual([
      [0, 5],
      [1, 5],
      [2, 5],
    ]);
    expect(blocks(responses(serverSent), 2).map(([n, z]) => [n, z])).toEqual([
      [0, 6],
      [1, 6],
    ]);
  });

  it('client: a server that answers a BERT block with 2.31 SZX 6 gets 1024-byte blocks from then on', async () => {
    const network = new MemoryNetwork();
    const client = new Endpoint({ transport: network.transport('client', { kind: 'stream' }) });
    const raw = rawStream(network, 'raw');
    const peer = raw.transport.selfPeer();
    const p = client.request({ method: 'PUT', peer, path: '/fw', payload: body(10_000) });
    await vi.advanceTimersByTimeAsync(0);
    const from = raw.received[0]!.from;
    await raw.csm(from, 8320, true);
    await vi.advanceTimersByTimeAsync(0);
    const first = raw.messages()[0]!.msg;
    expect(blocks([first], 1)).toEqual([[0, 7, 8192, true]]);
    await raw.send(from, {
      code: CoapCode.CONTINUE,
      token: first.token,
      options: [{ number: OptionNumber.BLOCK1, value: Uint8Array.of(0x0e) }], // num 0, M, SZX 6
    });
    await vi.advanceTimersByTimeAsync(0);
    const second = raw.messages()[1]!.msg;
    expect(blocks([second], 1)).toEqual([[8, 6, 1024, true]]);
    expect(second.payload).toEqual(body(10_000).subarray(8192, 9216));
    await raw.send(from, { code: CoapCode.REQUEST_ENTITY_INCOMPLETE, token: first.token });
    expect((await p).codeText).toBe('4.08');
  });

  it('server: a BERT Block1 block that is not a multiple of 1024 bytes is refused with 4.00', async () => {
    const network = new MemoryNetwork();
    const serverT = network.transport('server', { kind: 'stream', port: 5683 });
    const server = new Endpoint({ transport: serverT });
    server.router.put('/fw', () => ({}));
    const raw = rawStream(network, 'raw');
    const to = raw.transport.peerOf(serverT);
    await raw.csm(to, 8320, true);
    await raw.send(to, {
      code: CoapCode.PUT,
      token: Uint8Array.of(5),
      options: [
        { number: OptionNumber.URI_PATH, value: new TextEncoder().encode('fw') },
        { number: OptionNumber.BLOCK1, value: Uint8Array.of(0x0f) }, // num 0, M, SZX 7
      ],
      payload: body(1500),
    });
    await vi.advanceTimersByTimeAsync(0);
    const [res] = raw.messages();
    expect(res!.msg.code).toBe(CoapCode.BAD_REQUEST);
    expect(new TextDecoder().decode(res!.msg.payload)).toMatch(/not a multiple of 1024/);
  });

  it('server: a BERT upload from a client that may not use BERT with us is continued with SZX 6', async () => {
    const network = new MemoryNetwork();
    const serverT = network.transport('server', { kind: 'stream', port: 5683 });
    const server = new Endpoint({ transport: serverT, signaling: { maxMessageSize: 1152 } });
    server.router.put('/fw', () => ({}));
    const raw = rawStream(network, 'raw');
    const to = raw.transport.peerOf(serverT);
    await raw.csm(to, 8320, true);
    await raw.send(to, {
      code: CoapCode.PUT,
      token: Uint8Array.of(6),
      options: [
        { number: OptionNumber.URI_PATH, value: new TextEncoder().encode('fw') },
        { number: OptionNumber.BLOCK1, value: Uint8Array.of(0x0f) },
      ],
      payload: body(1024),
    });
    await vi.advanceTimersByTimeAsync(0);
    const [res] = raw.messages();
    expect(res!.msg.code).toBe(CoapCode.CONTINUE);
    expect(getOption(res!.msg, OptionNumber.BLOCK1)).toEqual(Uint8Array.of(0x0e));
  });

  it('observe: a large notification is completed with BERT follow-ups', async () => {
    const { client, server, serverPeer, clientSent } = bertPair();
    let v = 1;
    server.router.get('/o', () => ({ payload: body(12_000 + v) }), { observable: true });
    await client.request({ method: 'GET', peer: serverPeer, path: '/none' });
    const obs = client.observe({ peer: serverPeer, path: '/o' });
    const it = obs[Symbol.asyncIterator]();
    expect((await it.next()).value!.payload).toEqual(body(12_001));
    v = 2;
    server.notify('/o');
    expect((await it.next()).value!.payload).toEqual(body(12_002));
    expect(blocks(requests(clientSent), 2).map(([n, z]) => [n, z])).toEqual([
      [8, 7],
      [8, 7],
    ]);
    await obs.cancel();
  });
});
