import { CoapCode, getObserve, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../../test/helpers';
import { CoapError } from '../errors/coap-error';
import type { CoapResponse } from '../response';
import { isNewerNotification } from './notification-order';

const enc = (s: string) => new TextEncoder().encode(s);

describe('observe (RFC 7641)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('orders notifications with the 2^23 window and the 128 s rule', () => {
    expect(isNewerNotification(1, 0, 2, 0)).toBe(true);
    expect(isNewerNotification(2, 0, 1, 0)).toBe(false);
    expect(isNewerNotification(0xfffff0, 0, 3, 0)).toBe(true); // wrapped
    expect(isNewerNotification(5, 0, 5 + (1 << 23), 0)).toBe(false);
    expect(isNewerNotification(5, 0, 4, 128_001)).toBe(true);
  });

  it('registers, notifies and cancels with GET Observe=1', async () => {
    const { server, client, serverPeer } = createPair();
    let temp = 20;
    server.router.get('/temp', () => ({ payload: String(temp) }), { observable: true });
    const obs = client.observe({ peer: serverPeer, path: '/temp' });
    const it = obs[Symbol.asyncIterator]();
    const first = await it.next();
    expect((first.value as CoapResponse).text()).toBe('20');
    expect((first.value as CoapResponse).observe).toBeTypeOf('number');
    expect(server.observerCount('/temp')).toBe(1);
    temp = 21;
    expect(server.notify('/temp')).toBe(1);
    expect(((await it.next()).value as CoapResponse).text()).toBe('21');
    temp = 22;
    server.notify('/temp', { confirmable: true });
    expect(((await it.next()).value as CoapResponse).text()).toBe('22');
    await obs.cancel();
    expect(server.observerCount('/temp')).toBe(0);
    expect((await it.next()).done).toBe(true);
  });

  it('a resource that is not observable answers once and the iteration ends', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/plain', () => ({ payload: 'x' }));
    const got: string[] = [];
    for await (const n of client.observe({ peer: serverPeer, path: '/plain' })) got.push(n.text());
    expect(got).toEqual(['x']);
    expect(server.observerCount()).toBe(0);
  });

  it('an error notification ends the observation on both sides', async () => {
    const { server, client, serverPeer } = createPair();
    let exists = true;
    server.router.get(
      '/x',
      () => {
        if (!exists) throw CoapError.notFound();
        return { payload: 'here' };
      },
      { observable: true },
    );
    const obs = client.observe({ peer: serverPeer, path: '/x' });
    const codes: string[] = [];
    const done = (async () => {
      for await (const n of obs) codes.push(n.codeText);
    })();
    await vi.advanceTimersByTimeAsync(0);
    exists = false;
    server.notify('/x');
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(codes).toEqual(['2.05', '4.04']);
    expect(server.observerCount()).toBe(0);
  });

  it('the server drops an observer that answers a notification with RST (client forgot it)', async () => {
    const { server, client, serverPeer } = createPair();
    server.router.get('/t', () => ({ payload: 't' }), { observable: true });
    const obs = client.observe({ peer: serverPeer, path: '/t' });
    await obs[Symbol.asyncIterator]().next();
    await obs.cancel({ proactive: false });
    expect(server.observerCount()).toBe(1);
    server.notify('/t');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.observerCount()).toBe(0);
  });

  it('the server drops an observer whose CON notification times out', async () => {
    const { network, server, serverTransport } = createPair();
    server.router.get('/t', () => ({ payload: 't' }), { observable: true });
    const raw = rawNode(network, 'raw');
    await raw.send(raw.transport.peerOf(serverTransport), {
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 1,
      token: Uint8Array.of(4),
      options: [
        { number: OptionNumber.OBSERVE, value: new Uint8Array(0) },
        { number: 11, value: enc('t') },
      ],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(getObserve(raw.received[0]!.msg)).toBeTypeOf('number');
    server.notify('/t', { confirmable: true });
    await vi.advanceTimersByTimeAsync(100_000);
    expect(raw.received.length).toBe(6); // response + CON + 4 retransmissions
    expect(server.observerCount()).toBe(0);
  });

  it('sends a CON notification at least every 24 h, NON otherwise', async () => {
    const { network, server, serverTransport } = createPair();
    server.router.get('/t', () => ({ payload: 't' }), { observable: true });
    const raw = rawNode(network, 'raw');
    const to = raw.transport.peerOf(serverTransport);
    await raw.send(to, {
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 1,
      token: Uint8Array.of(4),
      options: [
        { number: OptionNumber.OBSERVE, value: new Uint8Array(0) },
        { number: 11, value: enc('t') },
      ],
    });
    await vi.advanceTimersByTimeAsync(0);
    server.notify('/t');
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[1]!.msg.type).toBe(MessageType.NON);
    await vi.advanceTimersByTimeAsync(24 * 3600 * 1000);
    server.notify('/t');
    await vi.advanceTimersByTimeAsync(0);
    const con = raw.received[2]!.msg;
    expect(con.type).toBe(MessageType.CON);
    await raw.send(to, { type: MessageType.ACK, code: 0, messageId: con.messageId });
    await vi.advanceTimersByTimeAsync(0);
    server.notify('/t');
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received[3]!.msg.type).toBe(MessageType.NON);
    const seqs = raw.received.map((r) => getObserve(r.msg)!);
    expect(seqs.every((s, i) => i === 0 || isNewerNotification(seqs[i - 1]!, 0, s, 0))).toBe(true);
  });

  it('the client drops reordered (older) notifications', async () => {
    const { network, client } = createPair();
    const raw = rawNode(network, 'raw');
    const obs = client.observe({ peer: raw.transport.selfPeer(), path: '/o' });
    await vi.advanceTimersByTimeAsync(0);
    const reg = raw.received[0]!;
    const reply = (mid: number, seq: number, text: string, type: MessageType = MessageType.NON) =>
      raw.send(reg.from, {
        type,
        code: CoapCode.CONTENT,
        messageId: mid,
        token: reg.msg.token,
        options: [{ number: OptionNumber.OBSERVE, value: Uint8Array.of(seq) }],
        payload: enc(text),
      });
    await reply(reg.msg.messageId, 10, 'a', MessageType.ACK);
    await reply(500, 12, 'c');
    await reply(501, 11, 'b-late');
    await reply(502, 13, 'd');
    await vi.advanceTimersByTimeAsync(0);
    const it = obs[Symbol.asyncIterator]();
    const got = [];
    for (let i = 0; i < 3; i++) got.push(((await it.next()).value as CoapResponse).text());
    expect(got).toEqual(['a', 'c', 'd']);
    await obs.cancel({ proactive: false });
  });

  it('the client re-registers when Max-Age passes without a notification', async () => {
    const { network, client } = createPair();
    const raw = rawNode(network, 'raw');
    const obs = client.observe({ peer: raw.transport.selfPeer(), path: '/o' });
    await vi.advanceTimersByTimeAsync(0);
    const reg = raw.received[0]!;
    await raw.send(reg.from, {
      type: MessageType.ACK,
      code: CoapCode.CONTENT,
      messageId: reg.msg.messageId,
      token: reg.msg.token,
      options: [
        { number: OptionNumber.OBSERVE, value: Uint8Array.of(1) },
        { number: OptionNumber.MAX_AGE, value: Uint8Array.of(10) },
      ],
    });
    await vi.advanceTimersByTimeAsync(11_000);
    expect(raw.received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(raw.received).toHaveLength(2);
    const again = raw.received[1]!.msg;
    expect(again.token).toEqual(reg.msg.token);
    expect(getObserve(again)).toBe(0);
    expect(again.messageId).not.toBe(reg.msg.messageId);
    await obs.cancel({ proactive: false });
  });

  it('each notification postpones re-registration; a shorter Max-Age brings it closer', async () => {
    const { network, client } = createPair();
    const raw = rawNode(network, 'raw');
    const obs = client.observe({ peer: raw.transport.selfPeer(), path: '/o' });
    await vi.advanceTimersByTimeAsync(0);
    const reg = raw.received[0]!;
    const notify = (type: MessageType, seq: number, maxAge: number, messageId: number) =>
      raw.send(reg.from, {
        type,
        code: CoapCode.CONTENT,
        messageId,
        token: reg.msg.token,
        options: [
          { number: OptionNumber.OBSERVE, value: Uint8Array.of(seq) },
          { number: OptionNumber.MAX_AGE, value: Uint8Array.of(maxAge) },
        ],
      });
    await notify(MessageType.ACK, 1, 10, reg.msg.messageId);
    // A notification every 5 s for 30 s: never 12 s of silence, so no re-registration.
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(5_000);
      await notify(MessageType.NON, 2 + i, 10, 100 + i);
    }
    await vi.advanceTimersByTimeAsync(11_900);
    expect(raw.received).toHaveLength(1);
    // Max-Age 1 s now: re-registration 3 s after this notification, not 12 s.
    await notify(MessageType.NON, 20, 1, 200);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(raw.received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(raw.received).toHaveLength(2);
    expect(getObserve(raw.received[1]!.msg)).toBe(0);
    await obs.cancel({ proactive: false });
  });

  it('a notification with Block2 is completed before it is yielded', async () => {
    const { server, client, serverPeer } = createPair();
    let text = 'a'.repeat(3000);
    server.router.get('/big', () => ({ payload: text }), { observable: true });
    const obs = client.observe({ peer: serverPeer, path: '/big' });
    const it = obs[Symbol.asyncIterator]();
    expect(((await it.next()).value as CoapResponse).text()).toBe(text);
    text = 'b'.repeat(2500);
    server.notify('/big');
    expect(((await it.next()).value as CoapResponse).text()).toBe(text);
    await obs.cancel();
  });

  it('notify can target one peer (or one relation), and observers() lists relations', async () => {
    const { network, server, client, serverPeer, serverTransport } = createPair();
    const { Endpoint } = await import('../endpoint');
    const other = new Endpoint({ transport: network.transport('other') });
    let v = 0;
    server.router.get('/r', () => ({ payload: String(v) }), { observable: true });
    const a = client.observe({ peer: serverPeer, path: '/r' });
    const b = other.observe({ peer: (other.transport as typeof serverTransport).peerOf(serverTransport), path: '/r' });
    const ai = a[Symbol.asyncIterator]();
    const bi = b[Symbol.asyncIterator]();
    await ai.next();
    await bi.next();
    const list = server.observers('/r');
    expect(list.map((o) => o.peer.address).sort()).toEqual(['client', 'other']);
    expect(list.every((o) => o.path === '/r')).toBe(true);
    v = 1;
    const clientSide = list.find((o) => o.peer.address === 'client')!;
    expect(server.notify('/r', { peer: clientSide.peer })).toBe(1);
    expect(((await ai.next()).value as CoapResponse).text()).toBe('1');
    v = 2;
    expect(server.notify('/r', { peer: clientSide.peer, token: Uint8Array.of(0xde, 0xad) })).toBe(0);
    expect(server.notify('/r')).toBe(2);
    expect(((await bi.next()).value as CoapResponse).text()).toBe('2');
    await a.cancel();
    await b.cancel();
  });

  it('an observation cancelled before its URI resolved never registers', async () => {
    const { server, client } = createPair();
    server.router.get('/r', () => ({ payload: 'r' }), { observable: true });
    const obs = client.observe({ uri: 'coap://server:5683/r' });
    await obs.cancel();
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.observerCount()).toBe(0);
    expect((await obs[Symbol.asyncIterator]().next()).done).toBe(true);
  });
});
