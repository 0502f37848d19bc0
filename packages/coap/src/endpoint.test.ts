import { CoapCode, CodecError, ContentFormat, MessageType } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../test/helpers';
import { CoapError } from './errors/coap-error';
import { CoapResetError } from './errors/coap-reset-error';
import { CoapTimeoutError } from './errors/coap-timeout-error';
import { Router } from './server/router';

describe('Endpoint request/response over MemoryNetwork (UDP)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a route and answers piggybacked', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/hello', (req) => ({
      payload: `hi ${req.queryParam('name')}`,
      contentFormat: ContentFormat.TEXT_PLAIN,
    }));
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/hello', query: 'name=bob' });
    expect(res.codeText).toBe('2.05');
    expect(res.text()).toBe('hi bob');
    expect(res.contentFormat).toBe(0);
    expect(res.isSuccess()).toBe(true);
  });

  it('accepts a coap:// URI', async () => {
    const { server, client } = createPair();
    server.router.put('/a/b', (req) => ({ payload: `${req.path.join('/')}:${req.text()}:${req.peer.address}` }));
    const res = await client.request({ method: 'PUT', uri: 'coap://server:5683/a/b', payload: 'x' });
    expect(res.codeText).toBe('2.04');
    expect(res.text()).toBe('a/b:x:client');
  });

  it('answers 4.04 for unknown paths and 4.05 with no body for unsupported methods', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/only-get', () => ({ payload: 'x' }));
    const notFound = await client.request({ method: 'GET', peer: serverPeer, path: '/nope' });
    expect(notFound.code).toBe(CoapCode.NOT_FOUND);
    const notAllowed = await client.request({ method: 'POST', peer: serverPeer, path: '/only-get' });
    expect(notAllowed.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect(notAllowed.payload.length).toBe(0);
  });

  it('maps thrown errors to codes and never crashes', async () => {
    const errors: unknown[] = [];
    const { server, client, serverPeer } = createPair({ server: { onError: (e) => errors.push(e) } });
    server.router
      .get('/forbidden', () => {
        throw CoapError.forbidden('no access');
      })
      .get('/codec', () => {
        throw new CodecError('bad tlv', { offset: 3 });
      })
      .get('/badopt', () => {
        throw new CodecError('bad opt', { responseCode: CoapCode.BAD_OPTION });
      })
      .get('/boom', () => {
        throw new Error('secret detail');
      })
      .get('/async-boom', async () => {
        throw new Error('later');
      });
    const f = await client.request({ method: 'GET', peer: serverPeer, path: '/forbidden' });
    expect([f.codeText, f.text()]).toEqual(['4.03', 'no access']);
    const c = await client.request({ method: 'GET', peer: serverPeer, path: '/codec' });
    expect(c.codeText).toBe('4.00');
    expect(c.text()).toContain('bad tlv');
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/badopt' })).codeText).toBe('4.02');
    const b = await client.request({ method: 'GET', peer: serverPeer, path: '/boom' });
    expect(b.codeText).toBe('5.00');
    expect(b.text()).not.toContain('secret');
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/async-boom' })).codeText).toBe('5.00');
    expect(errors).toHaveLength(2);
    server.router.get('/ok', () => ({ payload: 'still alive' }));
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/ok' })).text()).toBe('still alive');
  });

  it('gives a slow handler an empty ACK, then a separate CON response', async () => {
    const { network, server, serverTransport } = createPair();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    server.router.get('/slow', async () => {
      await gate;
      return { payload: 'done' };
    });
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    await raw.send(to, {
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 7,
      token: Uint8Array.of(1),
      options: [{ number: 11, value: new TextEncoder().encode('slow') }],
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(raw.received).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(raw.received).toHaveLength(1);
    expect(raw.received[0]!.msg).toMatchObject({ type: MessageType.ACK, code: 0, messageId: 7 });
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received).toHaveLength(2);
    const sep = raw.received[1]!.msg;
    expect(sep).toMatchObject({ type: MessageType.CON, code: CoapCode.CONTENT });
    expect([...sep.token]).toEqual([1]);
    // Unacknowledged, the separate response is retransmitted.
    await vi.advanceTimersByTimeAsync(3100);
    expect(raw.received).toHaveLength(3);
    expect(raw.received[2]!.msg.messageId).toBe(sep.messageId);
    await raw.send(to, { type: MessageType.ACK, code: 0, messageId: sep.messageId });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(raw.received).toHaveLength(3);
  });

  it('resolves a request answered with empty ACK then separate response', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 5000));
      return { payload: 'late' };
    });
    const p = client.request({ method: 'GET', peer: serverPeer, path: '/slow' });
    await vi.advanceTimersByTimeAsync(5000);
    expect((await p).text()).toBe('late');
  });

  it('answers a duplicate CON from the dedup store without running the handler again', async () => {
    const { network, server, serverTransport } = createPair();
    let runs = 0;
    server.router.post('/count', () => ({ payload: String(++runs) }));
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    const msg = {
      type: MessageType.CON,
      code: CoapCode.POST,
      messageId: 99,
      token: Uint8Array.of(5),
      options: [{ number: 11, value: new TextEncoder().encode('count') }],
    };
    await raw.send(to, msg);
    await vi.advanceTimersByTimeAsync(0);
    await raw.send(to, msg);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    expect(raw.received).toHaveLength(2);
    expect(raw.received[1]!.bytes).toEqual(raw.received[0]!.bytes);
    // After EXCHANGE_LIFETIME the message id may be reused for a new request.
    await vi.advanceTimersByTimeAsync(247_001);
    await raw.send(to, msg);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
  });

  it('retransmits a CON with exponential back-off and then fails with CoapTimeoutError', async () => {
    const { network, client } = createPair({ client: { random: () => 0 } });
    const sink = rawNode(network, 'sink');
    const started = Date.now();
    const p = client.request({ method: 'GET', peer: sink.transport.selfPeer(), path: '/x' });
    const outcome = p.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(0);
    const times: number[] = [];
    const seen = () => {
      while (times.length < sink.received.length) times.push(Date.now() - started);
    };
    seen();
    for (let i = 0; i < 140; i++) {
      await vi.advanceTimersByTimeAsync(500);
      seen();
    }
    expect(times).toEqual([0, 2000, 6000, 14000, 30000]);
    expect(new Set(sink.received.map((r) => r.msg.messageId)).size).toBe(1);
    const e = await outcome;
    expect(CoapTimeoutError.isInstance(e)).toBe(true);
  });

  it('uses configurable transmission parameters', async () => {
    const { network, client } = createPair({
      client: { random: () => 0, transmission: { ackTimeoutMs: 100, maxRetransmit: 2 } },
    });
    const sink = rawNode(network, 'sink');
    const p = client.request({ method: 'GET', peer: sink.transport.selfPeer(), path: '/x' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(701);
    expect(sink.received).toHaveLength(3);
    expect(CoapTimeoutError.isInstance(await p)).toBe(true);
  });

  it('fails a request the peer rejects with RST', async () => {
    const { network, client } = createPair();
    const raw = rawNode(network, 'raw');
    raw.transport.onReceive((bytes, from) => {
      const mid = (bytes[2]! << 8) | bytes[3]!;
      void raw.transport.send(from, Uint8Array.of(0x70, 0, mid >> 8, mid & 0xff));
    });
    const e = await client
      .request({ method: 'GET', peer: raw.transport.selfPeer(), path: '/x' })
      .catch((x: unknown) => x);
    expect(CoapResetError.isInstance(e)).toBe(true);
  });

  it('sends NON requests and gets NON responses', async () => {
    const { network, server, serverTransport } = createPair();
    server.router.get('/n', () => ({ payload: 'non' }));
    const raw = rawNode(network, 'raw');
    await raw.send(raw.transport.peerOf(serverTransport), {
      type: MessageType.NON,
      code: CoapCode.GET,
      messageId: 3,
      token: Uint8Array.of(9),
      options: [{ number: 11, value: new TextEncoder().encode('n') }],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[0]!.msg).toMatchObject({ type: MessageType.NON, code: CoapCode.CONTENT });
  });

  it('NON request from the client API resolves', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/n', () => ({ payload: 'non' }));
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/n', confirmable: false })).text()).toBe(
      'non',
    );
  });

  it('honours a request timeout', async () => {
    const { network, client } = createPair();
    const sink = rawNode(network, 'sink');
    const p = client
      .request({ method: 'GET', peer: sink.transport.selfPeer(), timeoutMs: 1000, confirmable: false })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1001);
    expect(CoapTimeoutError.isInstance(await p)).toBe(true);
  });

  it('answers CoAP ping with RST, and endpoint.ping resolves', async () => {
    const { client, serverPeer } = createPair();
    await expect(client.ping(serverPeer)).resolves.toBeUndefined();
  });

  it('queues requests beyond NSTART per peer', async () => {
    const { network, client } = createPair();
    const sink = rawNode(network, 'sink');
    const peer = sink.transport.selfPeer();
    const ps = [1, 2, 3].map((i) => client.request({ method: 'GET', peer, path: `/${i}` }).catch(() => undefined));
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.received).toHaveLength(1);
    const first = sink.received[0]!.msg;
    await sink.send(sink.received[0]!.from, {
      type: MessageType.ACK,
      code: CoapCode.CONTENT,
      messageId: first.messageId,
      token: first.token,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.received).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(300_000);
    await Promise.all(ps);
  });

  it('answers an unrecognized critical option with 4.02', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/x', () => ({ payload: 'x' }));
    const res = await client.request({
      method: 'GET',
      peer: serverPeer,
      path: '/x',
      options: [{ number: 65001, value: new Uint8Array(0) }],
    });
    expect(res.codeText).toBe('4.02');
  });

  it('a router passed in is used, with :params and *', async () => {
    const router = new Router()
      .get('/rd/:id', (r) => ({ payload: r.params.id }))
      .get('/files/*', (r) => ({ payload: r.params['*'] }));
    const { client, serverPeer } = createPair({ server: { router } });
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/rd/abc' })).text()).toBe('abc');
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/files/a/b/c' })).text()).toBe('a/b/c');
  });

  it('both roles on one endpoint', async () => {
    const { server, client, serverPeer, clientTransport, serverTransport } = createPair();
    client.router.get('/device', () => ({ payload: 'on client' }));
    server.router.post('/register', () => ({ code: CoapCode.CREATED, locationPath: ['rd', '1'] }));
    const reg = await client.request({ method: 'POST', peer: serverPeer, path: '/register' });
    expect(reg.locationPath).toEqual(['rd', '1']);
    const back = await server.request({
      method: 'GET',
      peer: serverTransport.peerOf(clientTransport),
      path: '/device',
    });
    expect(back.text()).toBe('on client');
  });

  it('close() fails pending requests', async () => {
    const { network, client } = createPair();
    const sink = rawNode(network, 'sink');
    const p = client.request({ method: 'GET', peer: sink.transport.selfPeer() }).catch((e: unknown) => e);
    await client.close();
    expect(((await p) as Error).name).toBe('CoapClosedError');
  });

  it('a request that cannot be built rejects (never throws), and an observation reports it', async () => {
    const { client, serverPeer } = createPair();
    await expect(client.request({ method: 'GET', peer: serverPeer, contentFormat: -1 })).rejects.toThrow();
    await expect(client.request({ method: 'BREW' as 'GET', peer: serverPeer })).rejects.toThrow(/unknown CoAP method/);
    const obs = client.observe({ uri: 'coap://server:5683/x', contentFormat: -1 });
    await expect(obs[Symbol.asyncIterator]().next()).rejects.toThrow();
  });

  it('a handler answer that cannot be encoded becomes 5.00, and an unencodable request rejects', async () => {
    const errors: unknown[] = [];
    const { server, client, serverPeer } = createPair({ server: { onError: (e) => errors.push(e) } });
    server.router.get('/bad', () => ({ options: [{ number: 70_000, value: new Uint8Array(0) }] }));
    server.router.get('/bad-async', async () => ({ options: [{ number: 70_000, value: new Uint8Array(0) }] }));
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/bad' })).codeText).toBe('5.00');
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/bad-async' })).codeText).toBe('5.00');
    expect(errors).toHaveLength(2);
    await expect(
      client.request({ method: 'GET', peer: serverPeer, options: [{ number: 70_000, value: new Uint8Array(0) }] }),
    ).rejects.toThrow();
  });
});
