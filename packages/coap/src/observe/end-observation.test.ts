/**
 * `endpoint.endObservation(peer, token)`: the notifying side ends a relation on its own
 * (RFC 7641 §3.2, §4.2 allow a server to simply stop). The relation leaves every table and
 * its cap slot, nothing is sent, and a later Observe with the same token is a new relation.
 */
import { CoapCode, getObserve, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode } from '../../test/helpers';
import type { Peer } from '../transport';

const enc = (s: string) => new TextEncoder().encode(s);

function observeRequest(messageId: number, token: Uint8Array, observe = 0) {
  return {
    type: MessageType.CON,
    code: CoapCode.GET,
    messageId,
    token,
    options: [
      { number: OptionNumber.OBSERVE, value: observe === 0 ? new Uint8Array(0) : Uint8Array.of(observe) },
      { number: OptionNumber.URI_PATH, value: enc('t') },
    ],
  };
}

function setup(maxObservers = 10, options: { confirmable?: boolean; render?: () => unknown } = {}) {
  const pair = createPair({
    server: { observe: { maxObservers, ...(options.confirmable ? { confirmable: true } : {}) } },
  });
  let n = 0;
  pair.server.router.get('/t', () => (options.render ? options.render() : { payload: `v${n++}` }) as never, {
    observable: true,
  });
  const nodes = new Map<string, ReturnType<typeof rawNode>>();
  const node = (name: string) => {
    let r = nodes.get(name);
    if (!r) {
      r = rawNode(pair.network, name);
      nodes.set(name, r);
    }
    return r;
  };
  let mid = 1;
  /** `name` registers with `token`; resolves with the answer's Observe (undefined: not kept). */
  const register = async (name: string, token: Uint8Array) => {
    const r = node(name);
    const before = r.received.length;
    await r.send(r.transport.peerOf(pair.serverTransport), observeRequest(mid++, token));
    await vi.advanceTimersByTimeAsync(0);
    const answer = r.received[before]?.msg;
    expect(answer?.code).toBe(CoapCode.CONTENT);
    return getObserve(answer!);
  };
  /** The observer as the server's engine sees it. */
  const peerOf = (name: string): Peer => pair.serverTransport.peerOf(node(name).transport);
  return { ...pair, node, register, peerOf };
}

const T = Uint8Array.of(1, 2, 3, 4);

describe('endObservation (server side ends a relation)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removes the relation: hasObserver false, no count, no list entry, nothing sent now or on notify', async () => {
    const { server, register, peerOf, node } = setup();
    expect(await register('a', T)).toBeTypeOf('number');
    expect(server.hasObserver(peerOf('a'), T)).toBe(true);
    const received = node('a').received.length;

    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    expect(server.hasObserver(peerOf('a'), T)).toBe(false);
    expect(server.observerCount()).toBe(0);
    expect(server.observerCount('/t')).toBe(0);
    expect(server.observers()).toEqual([]);
    expect(server.notify('/t')).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(node('a').received.length).toBe(received);
  });

  it('frees the slot under maxObservers at once', async () => {
    const { server, register, peerOf } = setup(2);
    expect(await register('a', T)).toBeTypeOf('number');
    expect(await register('b', T)).toBeTypeOf('number');
    expect(await register('c', T)).toBeUndefined(); // cap full: plain 2.05
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    expect(await register('c', T)).toBeTypeOf('number');
    expect(server.observerCount()).toBe(2);
    expect(server.hasObserver(peerOf('c'), T)).toBe(true);
    expect(await register('d', T)).toBeUndefined();
  });

  it('a new Observe from the same peer and token afterwards is a new relation', async () => {
    const { server, register, peerOf, node } = setup(1);
    const first = await register('a', T);
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    const second = await register('a', T);
    expect(second).toBeTypeOf('number');
    expect(second).toBeGreaterThan(first!);
    expect(server.hasObserver(peerOf('a'), T)).toBe(true);
    expect(server.observerCount()).toBe(1);
    // The new relation is notified like any other.
    const before = node('a').received.length;
    expect(server.notify('/t')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(node('a').received.length).toBe(before + 1);
  });

  it('ends only the named relation of a peer', async () => {
    const { server, register, peerOf } = setup();
    await register('a', T);
    await register('a', Uint8Array.of(9));
    await register('b', T);
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    expect(server.hasObserver(peerOf('a'), Uint8Array.of(9))).toBe(true);
    expect(server.hasObserver(peerOf('b'), T)).toBe(true);
    expect(server.observerCount()).toBe(2);
  });

  it('is a no-op (false) for an unknown token, an unknown peer, twice, and after close', async () => {
    const { server, register, peerOf } = setup();
    await register('a', T);
    expect(server.endObservation(peerOf('a'), Uint8Array.of(7))).toBe(false);
    expect(server.endObservation(peerOf('nobody'), T)).toBe(false);
    expect(server.observerCount()).toBe(1);
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    expect(server.endObservation(peerOf('a'), T)).toBe(false);
    await register('a', T);
    await server.close();
    expect(server.endObservation(peerOf('a'), T)).toBe(false);
  });

  it('accepts the empty token (valid in CoAP) and rejects malformed arguments with clear errors', async () => {
    const { server, register, peerOf } = setup();
    const empty = new Uint8Array(0);
    expect(server.endObservation(peerOf('a'), empty)).toBe(false);
    await register('a', empty);
    expect(server.hasObserver(peerOf('a'), empty)).toBe(true);
    expect(server.endObservation(peerOf('a'), empty)).toBe(true);
    expect(server.observerCount()).toBe(0);

    await register('a', T);
    expect(() => server.endObservation(peerOf('a'), new Uint8Array(9))).toThrow(RangeError);
    expect(() => server.endObservation(peerOf('a'), new Uint8Array(9))).toThrow(/0 to 8 bytes.*got 9/);
    expect(() => server.endObservation(peerOf('a'), [1, 2, 3, 4] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => server.endObservation(undefined as unknown as Peer, T)).toThrow(TypeError);
    expect(() => server.endObservation({} as Peer, T)).toThrow(/Peer/);
    expect(server.observerCount()).toBe(1); // nothing was ended by a bad call
  });

  it('stops retransmitting a CON notification still in flight', async () => {
    const { server, register, peerOf, node } = setup(10, { confirmable: true });
    await register('a', T);
    const before = node('a').received.length;
    expect(server.notify('/t')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(node('a').received.length).toBe(before + 1); // the CON, never ACKed
    expect(node('a').received.at(-1)!.msg.type).toBe(MessageType.CON);
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    await vi.advanceTimersByTimeAsync(server.times.maxTransmitWaitMs + 1000);
    expect(node('a').received.length).toBe(before + 1);
  });

  it('drops a notification whose asynchronous render finishes after the relation ended', async () => {
    let release: (() => void) | undefined;
    let registering = true;
    const { server, register, peerOf, node } = setup(10, {
      render: () => {
        if (registering) return { payload: 'first' };
        return new Promise((resolve) => {
          release = () => resolve({ payload: 'late' });
        });
      },
    });
    await register('a', T);
    registering = false;
    const before = node('a').received.length;
    expect(server.notify('/t')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.endObservation(peerOf('a'), T)).toBe(true);
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(node('a').received.length).toBe(before);
  });
});
