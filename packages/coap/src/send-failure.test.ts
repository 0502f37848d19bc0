import { CoapCode, createMessage, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Endpoint } from './endpoint';
import { CoapClosedError } from './errors/coap-closed-error';
import { CoapSendError } from './errors/coap-send-error';
import { seededRandom } from './testing/random';
import { makePeer, type Peer, type Transport } from './transport';

/** A transport whose send rejects, like DTLS after a failed handshake or TCP after a refused connect. */
class RefusingTransport implements Transport {
  readonly framing;
  readonly scheme;
  sent = 0;
  private receiver: (frame: Uint8Array, peer: Peer) => void = () => {};
  constructor(readonly reliable: boolean) {
    this.framing = reliable ? ('stream' as const) : ('datagram' as const);
    this.scheme = reliable ? ('coaps+tcp' as const) : ('coaps' as const);
  }
  send(): Promise<void> {
    this.sent++;
    return Promise.reject(new Error('DTLS handshake failed: decrypt_error'));
  }
  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.receiver = handler;
  }
  onPeerClosed(): void {}
  deliver(frame: Uint8Array, peer: Peer): void {
    this.receiver(frame, peer);
  }
  localAddress(): undefined {
    return undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const peer = makePeer('192.0.2.1', 5684);

/** The promise's outcome once microtasks ran, without advancing the clock. */
async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; pending: boolean }> {
  const r: { value?: T; error?: unknown; pending: boolean } = { pending: true };
  p.then(
    (value) => Object.assign(r, { value, pending: false }),
    (error: unknown) => Object.assign(r, { error, pending: false }),
  );
  await vi.advanceTimersByTimeAsync(0);
  return r;
}

function expectSendError(error: unknown): void {
  expect(CoapSendError.isInstance(error)).toBe(true);
  expect(CoapClosedError.isInstance(error)).toBe(true);
  const e = error as CoapSendError;
  expect(e.peerKey).toBe(peer.key);
  expect((e.cause as Error).message).toContain('handshake failed');
  expect(e.message).toContain('handshake failed');
}

describe('a transport send that rejects', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(reliable: boolean) {
    const transport = new RefusingTransport(reliable);
    const errors: [unknown, string][] = [];
    const endpoint = new Endpoint({ transport, random: seededRandom(1), onError: (e, w) => errors.push([e, w]) });
    return { transport, endpoint, errors };
  }

  it('fails a CON request at once, without retransmitting, and not via onError', async () => {
    const { transport, endpoint, errors } = setup(false);
    const r = await outcome(endpoint.request({ method: 'POST', peer, path: '/rd' }));
    expect(r.pending).toBe(false);
    expectSendError(r.error);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(transport.sent).toBe(1);
    expect(errors).toEqual([]);
  });

  it('fails a NON request at once', async () => {
    const { transport, endpoint } = setup(false);
    const r = await outcome(endpoint.request({ method: 'GET', peer, path: '/x', confirmable: false }));
    expect(r.pending).toBe(false);
    expectSendError(r.error);
    expect(transport.sent).toBe(1);
  });

  it('fails a request on a reliable transport at once', async () => {
    const { endpoint } = setup(true);
    const r = await outcome(endpoint.request({ method: 'GET', peer, path: '/x' }));
    expect(r.pending).toBe(false);
    expectSendError(r.error);
  });

  it('lets the next request queued behind NSTART go (and fail) too', async () => {
    const { transport, endpoint } = setup(false);
    const first = outcome(endpoint.request({ method: 'GET', peer, path: '/a' }));
    const second = outcome(endpoint.request({ method: 'GET', peer, path: '/b' }));
    expectSendError((await first).error);
    expectSendError((await second).error);
    expect(transport.sent).toBe(2);
  });

  it('ends an observation with the error (UDP and reliable)', async () => {
    for (const reliable of [false, true]) {
      const { endpoint } = setup(reliable);
      const obs = endpoint.observe({ peer, path: '/3303/0/5700' });
      const r = await outcome(obs[Symbol.asyncIterator]().next());
      expect(r.pending).toBe(false);
      expectSendError(r.error);
      expect(obs.isEnded).toBe(true);
    }
  });

  it('rejects a ping at once', async () => {
    const { endpoint } = setup(false);
    const r = await outcome(endpoint.ping(peer));
    expectSendError(r.error);
  });

  it('reports a response that cannot be sent to onError; the endpoint keeps serving', async () => {
    const { transport, endpoint, errors } = setup(false);
    let served = 0;
    endpoint.router.get('/x', () => {
      served++;
      return { payload: 'hi' };
    });
    for (const [mid, type] of [
      [1, MessageType.CON],
      [2, MessageType.NON],
    ] as const) {
      const req = createMessage({ type, code: CoapCode.GET, messageId: mid, token: Uint8Array.of(mid) });
      transport.deliver(encodeUdp({ ...req, options: [{ number: 11, value: new TextEncoder().encode('x') }] }), peer);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors.every(([e, where]) => (e as Error).message.includes('handshake failed') && where === 'send')).toBe(
      true,
    );
  });

  it('reports a separate (CON) response that cannot be sent to onError, once, without retransmitting', async () => {
    const { transport, endpoint, errors } = setup(false);
    endpoint.router.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve({ payload: 'late' }), 5000)));
    const req = createMessage({ type: MessageType.CON, code: CoapCode.GET, messageId: 9, token: Uint8Array.of(9) });
    transport.deliver(encodeUdp({ ...req, options: [{ number: 11, value: new TextEncoder().encode('slow') }] }), peer);
    await vi.advanceTimersByTimeAsync(5000); // empty ACK after 1 s, then the separate CON response
    const sentBefore = transport.sent;
    expect(errors.map(([e, where]) => [CoapSendError.isInstance(e), where])).toEqual([
      [false, 'send'], // the empty ACK
      [true, `separate response to ${peer.key}`],
    ]);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(transport.sent).toBe(sentBefore);
  });
});
