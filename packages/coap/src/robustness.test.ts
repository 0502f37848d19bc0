/** Whatever arrives on the wire, the endpoint neither throws nor stops serving. */
import { CoapCode, createMessage, encodeReliable, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../test/helpers';
import type { Framing } from './transport';

const validRequest = (kind: Framing) => {
  const m = createMessage({
    type: MessageType.CON,
    code: CoapCode.GET,
    messageId: 1,
    token: Uint8Array.of(1, 2),
    options: [{ number: 11, value: new TextEncoder().encode('ok') }],
  });
  return kind === 'datagram' ? encodeUdp(m) : encodeReliable(m, kind === 'stream' ? 'tcp' : 'ws');
};

describe.each(['datagram', 'websocket'] as const)('robustness (%s)', (kind) => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('random and mutated frames never escape as errors, and the endpoint keeps serving', async () => {
    const errors: [string, unknown][] = [];
    const { network, server, client, serverPeer, serverTransport } = createPair({
      kind,
      server: { onError: (e, where) => errors.push([where, e]) },
    });
    server.router.get('/ok', () => ({ payload: 'fine' }), { observable: true });
    const raw = network.transport('fuzzer', { kind });
    raw.onReceive(() => {});
    const to = raw.peerOf(serverTransport);
    const base = validRequest(kind);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = base.slice();
            b[i] = v;
            return b;
          }),
        ),
        async (frame) => {
          await raw.send(to, frame).catch(() => {});
          await vi.advanceTimersByTimeAsync(0);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
    await vi.advanceTimersByTimeAsync(10_000);
    // Send failures to the fuzzer's closed/odd connection are reported, never thrown; nothing else.
    expect(errors.filter(([where]) => !String(where).startsWith('send'))).toEqual([]);
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/ok' })).text()).toBe('fine');
  });
});
