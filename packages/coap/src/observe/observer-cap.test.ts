/**
 * The `maxObservers` cap (RFC 7641 §2, §4.1): a registration the server does not keep falls
 * back to a plain GET, whose answer carries no Observe option, and the handler is told so
 * (`req.observing === false`) before it runs. Slots are held for registrations whose handler
 * has not answered yet, so async handlers cannot overshoot the cap.
 */
import { CoapCode, createOption, getObserve, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../../test/helpers';
import { CoapError } from '../errors/coap-error';
import type { CoapRequest } from '../request';

const enc = (s: string) => new TextEncoder().encode(s);

function observeRequest(messageId: number, token: number, path = 't', observe = 0) {
  return {
    type: MessageType.CON,
    code: CoapCode.GET,
    messageId,
    token: Uint8Array.of(token),
    options: [
      { number: OptionNumber.OBSERVE, value: observe === 0 ? new Uint8Array(0) : Uint8Array.of(observe) },
      { number: OptionNumber.URI_PATH, value: enc(path) },
    ],
  };
}

function cappedServer(max: number) {
  const pair = createPair({ server: { observe: { maxObservers: max } } });
  const seen: (boolean | undefined)[] = [];
  pair.server.router.get(
    '/t',
    (req: CoapRequest) => {
      seen.push(req.observing);
      return { payload: 't' };
    },
    { observable: true },
  );
  return { ...pair, seen };
}

describe('observer cap (maxObservers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers registrations beyond the cap with a plain 2.05 without Observe, and tells the handler', async () => {
    const { network, server, serverTransport, seen } = cappedServer(2);
    const peers = Array.from({ length: 5 }, (_, i) => rawNode(network, `obs${i}`));
    for (const [i, p] of peers.entries()) await p.send(p.transport.peerOf(serverTransport), observeRequest(i + 1, 7));
    await vi.advanceTimersByTimeAsync(0);
    const answers = peers.map((p) => p.received[0]!.msg);
    expect(answers.map((m) => m.code)).toEqual(Array(5).fill(CoapCode.CONTENT));
    expect(answers.map((m) => getObserve(m) !== undefined)).toEqual([true, true, false, false, false]);
    expect(seen).toEqual([true, true, false, false, false]);
    expect(server.observerCount()).toBe(2);
    const serverSide = (i: number) => serverTransport.peerOf(peers[i]!.transport);
    expect(server.hasObserver(serverSide(0), Uint8Array.of(7))).toBe(true);
    expect(server.hasObserver(serverSide(0), Uint8Array.of(8))).toBe(false);
    expect(server.hasObserver(serverSide(2), Uint8Array.of(7))).toBe(false);

    // The two kept observers are notified; the handler sees `observing: true` while rendering.
    expect(server.notify('/t')).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(peers.map((p) => p.received.length)).toEqual([2, 2, 1, 1, 1]);
    expect(getObserve(peers[0]!.received[1]!.msg)).toBeTypeOf('number');
    expect(seen.slice(5)).toEqual([true, true]);
  });

  it('a kept observer may re-register while the cap is full; a freed slot goes to the next one', async () => {
    const { network, server, serverTransport } = cappedServer(1);
    const a = rawNode(network, 'a');
    const b = rawNode(network, 'b');
    await a.send(a.transport.peerOf(serverTransport), observeRequest(1, 1));
    await vi.advanceTimersByTimeAsync(0);
    await a.send(a.transport.peerOf(serverTransport), observeRequest(2, 1));
    await b.send(b.transport.peerOf(serverTransport), observeRequest(3, 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(getObserve(a.received[1]!.msg)).toBeTypeOf('number');
    expect(getObserve(b.received[0]!.msg)).toBeUndefined();
    // a deregisters: b now gets the slot.
    await a.send(a.transport.peerOf(serverTransport), observeRequest(4, 1, 't', 1));
    await b.send(b.transport.peerOf(serverTransport), observeRequest(5, 2));
    await vi.advanceTimersByTimeAsync(0);
    expect(getObserve(b.received[1]!.msg)).toBeTypeOf('number');
    expect(server.observerCount()).toBe(1);
  });

  it('holds slots for async handlers in flight and gives them back when the answer is an error', async () => {
    const { network, server, serverTransport } = createPair({ server: { observe: { maxObservers: 2 } } });
    const waiting: (() => void)[] = [];
    const seen: (boolean | undefined)[] = [];
    let fail = true;
    server.router.get(
      '/t',
      async (req: CoapRequest) => {
        seen.push(req.observing);
        await new Promise<void>((resolve) => waiting.push(resolve));
        if (fail) {
          fail = false;
          throw CoapError.notFound();
        }
        return { payload: 't' };
      },
      { observable: true },
    );
    const peers = Array.from({ length: 3 }, (_, i) => rawNode(network, `p${i}`));
    for (const [i, p] of peers.entries()) await p.send(p.transport.peerOf(serverTransport), observeRequest(i + 1, 9));
    await vi.advanceTimersByTimeAsync(0);
    // Nobody has answered yet, but two slots are held: the third is refused up front.
    expect(seen).toEqual([true, true, false]);
    for (const w of waiting.splice(0)) w();
    await vi.advanceTimersByTimeAsync(0);
    // The first answered 4.04 (slot released), the second is kept, the third got a plain 2.05.
    expect(peers.map((p) => p.received[0]!.msg.code)).toEqual([CoapCode.NOT_FOUND, CoapCode.CONTENT, CoapCode.CONTENT]);
    expect(peers.map((p) => getObserve(p.received[0]!.msg) !== undefined)).toEqual([false, true, false]);
    expect(server.observerCount()).toBe(1);
    // The released slot is free again.
    const late = rawNode(network, 'late');
    await late.send(late.transport.peerOf(serverTransport), observeRequest(10, 1));
    await vi.advanceTimersByTimeAsync(0);
    for (const w of waiting.splice(0)) w();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.at(-1)).toBe(true);
    expect(getObserve(late.received[0]!.msg)).toBeTypeOf('number');
    expect(server.observerCount()).toBe(2);
  });

  it('strips an Observe option a handler put in a refused answer', async () => {
    const { network, server, serverTransport } = createPair({ server: { observe: { maxObservers: 0 } } });
    server.router.get('/t', () => ({ payload: 't', options: [createOption(OptionNumber.OBSERVE, 5)] }), {
      observable: true,
    });
    const p = rawNode(network, 'p');
    await p.send(p.transport.peerOf(serverTransport), observeRequest(1, 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(p.received[0]!.msg.code).toBe(CoapCode.CONTENT);
    expect(getObserve(p.received[0]!.msg)).toBeUndefined();
    expect(server.observerCount()).toBe(0);
  });

  it('ordinary requests and deregistrations carry no `observing` flag', async () => {
    const { server, client, serverPeer, seen } = cappedServer(2);
    await client.request({ method: 'GET', peer: serverPeer, path: '/t' });
    expect(seen).toEqual([undefined]);
    expect(server.observerCount()).toBe(0);
  });
});
