import { CoapCode, getObserve, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../../test/helpers';
import type { CoapResponse } from '../response';
import type { DedupCache } from './dedup-cache';

const enc = (s: string) => new TextEncoder().encode(s);

describe('ReliabilityLayer on the wire', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects a malformed CON with RST and ignores a malformed NON', async () => {
    const { network, serverTransport } = createPair();
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    // CON GET, mid 0x1234, TKL 0, then an option with reserved delta 15 (not a payload marker).
    await raw.transport.send(to, Uint8Array.of(0x40, 0x01, 0x12, 0x34, 0xf1, 0x00));
    await raw.transport.send(to, Uint8Array.of(0x50, 0x01, 0x12, 0x35, 0xf1, 0x00));
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received).toHaveLength(1);
    expect(raw.received[0]!.msg).toMatchObject({ type: MessageType.RST, messageId: 0x1234 });
  });

  it('answers an empty CON (ping) with RST and ignores an empty NON', async () => {
    const { network, serverTransport } = createPair();
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    await raw.send(to, { type: MessageType.CON, code: 0, messageId: 77 });
    await raw.send(to, { type: MessageType.NON, code: 0, messageId: 78 });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received.map((r) => [r.msg.type, r.msg.messageId])).toEqual([[MessageType.RST, 77]]);
  });

  it('rejects a response for an unknown token with RST', async () => {
    const { network, serverTransport } = createPair();
    const raw = rawNode(network, 'raw');
    await raw.send(raw.transport.peerOf(serverTransport), {
      type: MessageType.CON,
      code: CoapCode.CONTENT,
      messageId: 5,
      token: Uint8Array.of(1, 2),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[0]!.msg).toMatchObject({ type: MessageType.RST, messageId: 5 });
  });

  it('ACKs a separate CON response, re-ACKs its duplicate, and delivers it once', async () => {
    const { network, client } = createPair();
    const raw = rawNode(network, 'raw');
    const obs = client.observe({ peer: raw.transport.selfPeer(), path: '/o' });
    await vi.advanceTimersByTimeAsync(0);
    const req = raw.received[0]!;
    await raw.send(req.from, { type: MessageType.ACK, code: 0, messageId: req.msg.messageId });
    const separate = {
      type: MessageType.CON,
      code: CoapCode.CONTENT,
      messageId: 900,
      token: req.msg.token,
      options: [{ number: OptionNumber.OBSERVE, value: Uint8Array.of(3) }],
      payload: enc('v'),
    };
    await raw.send(req.from, separate);
    await raw.send(req.from, separate);
    await vi.advanceTimersByTimeAsync(0);
    const acks = raw.received.slice(1).map((r) => r.msg);
    expect(acks).toHaveLength(2);
    expect(acks.every((a) => a.type === MessageType.ACK && a.messageId === 900 && a.code === 0)).toBe(true);
    const it = obs[Symbol.asyncIterator]();
    const first = (await it.next()).value as CoapResponse;
    expect(getObserve(first.message)).toBe(3);
    await obs.cancel({ proactive: false });
    expect((await it.next()).done).toBe(true);
  });

  it('answers 5.05 to a proxy request', async () => {
    const { client, serverPeer } = createPair();
    const res = await client.request({
      method: 'GET',
      peer: serverPeer,
      options: [{ number: OptionNumber.PROXY_URI, value: enc('coap://elsewhere/x') }],
    });
    expect(res.codeText).toBe('5.05');
  });

  it('answers 4.02 to an OSCORE request when no OSCORE layer consumed the option', async () => {
    const { client, serverPeer } = createPair();
    const res = await client.request({
      method: 'POST',
      peer: serverPeer,
      options: [{ number: OptionNumber.OSCORE, value: Uint8Array.of(0x09, 0x05, 0x42) }],
      payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9),
    });
    expect(res.codeText).toBe('4.02');
    expect(new TextDecoder().decode(res.payload)).toMatch(/OSCORE/);
  });

  it('a piggybacked response that arrives after the request timed out is ignored', async () => {
    const { network, client } = createPair({ client: { random: () => 0 } });
    const raw = rawNode(network, 'raw');
    const p = client
      .request({ method: 'GET', peer: raw.transport.selfPeer(), timeoutMs: 500 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(501);
    expect(((await p) as Error).name).toBe('CoapTimeoutError');
    const req = raw.received[0]!;
    await raw.send(req.from, {
      type: MessageType.ACK,
      code: CoapCode.CONTENT,
      messageId: req.msg.messageId,
      token: req.msg.token,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received).toHaveLength(1); // no RST for an ACK, nothing else sent
  });

  it('a small dedupCapacity endpoint holds little memory and replays stored replies after the slab grew', async () => {
    const { network, server, serverTransport } = createPair({ server: { dedupCapacity: 32 } });
    const dedup = (server as unknown as { messenger: { dedup: DedupCache } }).messenger.dedup;
    const initial = dedup.allocatedBytes;
    expect(initial).toBeLessThan(8 * 1024);
    let served = 0;
    server.router.get('/big', () => {
      served++;
      return { payload: new Uint8Array(400).fill(served) };
    });
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    const uriPath = [{ number: OptionNumber.URI_PATH, value: enc('big') }];
    for (let mid = 1; mid <= 30; mid++)
      await raw.send(to, { type: MessageType.CON, code: CoapCode.GET, messageId: mid, options: uriPath });
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toBe(30);
    expect(dedup.allocatedBytes).toBeGreaterThan(initial); // 30 x ~400 bytes of live replies
    expect(dedup.allocatedBytes).toBeLessThan(64 * 1024);
    const firsts = raw.received.map((r) => r.bytes);
    for (let mid = 1; mid <= 30; mid++)
      await raw.send(to, { type: MessageType.CON, code: CoapCode.GET, messageId: mid, options: uriPath });
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toBe(30); // duplicates: no handler run
    expect(raw.received.slice(30).map((r) => r.bytes)).toEqual(firsts);
  });
});
