import { CoapCode, getBlock1, getBlock2, getSize1, getSize2, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../../test/helpers';

const body = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('block-wise transfer (RFC 7959)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a large response in Block2 blocks and the client reassembles it; the handler runs once', async () => {
    const { server, client, serverPeer } = createPair();
    let runs = 0;
    const big = body(5000);
    server.router.get('/big', () => {
      runs++;
      return { payload: big, contentFormat: 42 };
    });
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/big' });
    expect(res.payload).toEqual(big);
    expect(res.contentFormat).toBe(42);
    expect(getBlock2(res.message)).toBeUndefined();
    expect(runs).toBe(1);
  });

  it('honours the client preferred (smaller) block size and sends Size2', async () => {
    const { network, server, serverTransport } = createPair();
    server.router.get('/big', () => ({ payload: body(200) }));
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    await raw.send(to, {
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 1,
      token: Uint8Array.of(1),
      options: [
        { number: 11, value: new TextEncoder().encode('big') },
        { number: OptionNumber.BLOCK2, value: Uint8Array.of(0x02) },
      ],
    });
    await vi.advanceTimersByTimeAsync(0);
    const first = raw.received[0]!.msg;
    expect(getBlock2(first)).toMatchObject({ num: 0, more: true, size: 64 });
    expect(getSize2(first)).toBe(200);
    expect(first.payload).toEqual(body(200).subarray(0, 64));
    await raw.send(to, {
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 2,
      token: Uint8Array.of(2),
      options: [
        { number: 11, value: new TextEncoder().encode('big') },
        { number: OptionNumber.BLOCK2, value: Uint8Array.of(0x32) },
      ],
    });
    await vi.advanceTimersByTimeAsync(0);
    const last = raw.received[1]!.msg;
    expect(getBlock2(last)).toMatchObject({ num: 3, more: false, size: 64 });
    expect(last.payload).toEqual(body(200).subarray(192));
  });

  it('early negotiation from the client API (block2Size)', async () => {
    const { server, client, serverPeer } = createPair();
    const seen: number[] = [];
    server.router.get('/big', (req) => {
      seen.push(getBlock2(req.message)?.size ?? 0);
      return { payload: body(300) };
    });
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/big', block2Size: 32 });
    expect(res.payload).toEqual(body(300));
    expect(seen).toEqual([32]);
  });

  it('uploads with Block1 (2.31 Continue, Size1, Request-Tag); the handler sees the whole body once', async () => {
    const { server, client, serverPeer } = createPair();
    const got: Uint8Array[] = [];
    server.router.put('/fw', (req) => {
      got.push(req.payload);
      expect(getBlock1(req.message)).toBeUndefined();
      return { payload: `got ${req.payload.length}` };
    });
    const data = body(3000, 7);
    const res = await client.request({ method: 'PUT', peer: serverPeer, path: '/fw', payload: data, block1Size: 256 });
    expect(res.text()).toBe('got 3000');
    expect(getBlock1(res.message)).toMatchObject({ more: false });
    expect(got).toHaveLength(1);
    expect(got[0]).toEqual(data);
  });

  it('follows a server that asks for smaller Block1 blocks', async () => {
    const { server, client, serverPeer } = createPair({ server: { blockwise: { preferredBlockSize: 64 } } });
    server.router.post('/up', (req) => ({ payload: String(req.payload.length) }));
    const data = body(1000);
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/up', payload: data, block1Size: 256 });
    expect(res.text()).toBe('1000');
  });

  it('interleaved uploads on the same path and query are separated by Request-Tag', async () => {
    const { server, client, serverPeer } = createPair({ client: { transmission: { nstart: 4 } } });
    const bodies: Uint8Array[] = [];
    server.router.put('/same', (req) => {
      bodies.push(req.payload);
      return {};
    });
    const a = body(1000, 1);
    const b = body(1000, 2);
    const res = await Promise.all([
      client.request({ method: 'PUT', peer: serverPeer, path: '/same', payload: a, block1Size: 64 }),
      client.request({ method: 'PUT', peer: serverPeer, path: '/same', payload: b, block1Size: 64 }),
    ]);
    expect(res.map((r) => r.codeText)).toEqual(['2.04', '2.04']);
    expect(bodies).toHaveLength(2);
    expect(bodies).toContainEqual(a);
    expect(bodies).toContainEqual(b);
  });

  it('answers 4.13 with Size1 above the body cap', async () => {
    const { server, client, serverPeer } = createPair({ server: { blockwise: { maxBodySize: 1000 } } });
    let ran = false;
    server.router.put('/fw', () => {
      ran = true;
      return {};
    });
    const res = await client.request({
      method: 'PUT',
      peer: serverPeer,
      path: '/fw',
      payload: body(4000),
      block1Size: 256,
    });
    expect(res.code).toBe(CoapCode.REQUEST_ENTITY_TOO_LARGE);
    expect(getSize1(res.message)).toBe(1000);
    expect(ran).toBe(false);
  });

  it('answers 4.08 to a block that does not follow', async () => {
    const { network, server, serverTransport } = createPair();
    server.router.put('/fw', () => ({}));
    const raw = rawNode(network, 'raw');
    await raw.send(raw.transport.peerOf(serverTransport), {
      type: MessageType.CON,
      code: CoapCode.PUT,
      messageId: 1,
      token: Uint8Array.of(1),
      options: [
        { number: 11, value: new TextEncoder().encode('fw') },
        { number: OptionNumber.BLOCK1, value: Uint8Array.of(0x2a) },
      ],
      payload: body(64),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[0]!.msg.code).toBe(CoapCode.REQUEST_ENTITY_INCOMPLETE);
  });

  it('uploads and downloads in one exchange (Block1 then Block2)', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.post('/echo', (req) => ({ payload: req.payload }));
    const data = body(2500, 3);
    const res = await client.request({
      method: 'POST',
      peer: serverPeer,
      path: '/echo',
      payload: data,
      block1Size: 512,
    });
    expect(res.payload).toEqual(data);
  });

  it('gives a sliced body an ETag, and a client notices a representation that changed mid-transfer', async () => {
    const { server, client, serverPeer } = createPair({
      network: { delayMs: 2 },
      server: { blockwise: { transferLifetimeMs: 1 } },
    });
    let version = 1;
    server.router.get('/doc', () => ({ payload: new Uint8Array(3000).fill(version++) }));
    // The kept body expires at once (1 ms) while blocks are in flight, so the handler runs again
    // for a later block and yields a different body: the ETag tells.
    const p = client
      .request({ method: 'GET', peer: serverPeer, path: '/doc', block2Size: 1024 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const e = await p;
    expect((e as Error).name).toBe('CoapError');
    expect((e as Error).message).toMatch(/ETag/);
  });
});
