import { describe, expect, it } from 'vitest';
import { makePeer, type Peer, type Transport } from './transport';
import { tapTransport } from './transport-tap';

/** A transport that records sends and lets the test deliver frames. */
function fakeTransport(withHooks: boolean) {
  const sent: Uint8Array[] = [];
  let deliver: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  const transport: Transport = {
    reliable: false,
    framing: 'datagram',
    scheme: 'coap',
    send: async (_peer, frame) => {
      sent.push(frame);
    },
    onReceive: (handler) => {
      deliver = handler;
    },
    localAddress: () => ({ address: '127.0.0.1', port: 5683 }),
    close: async () => {},
    ...(withHooks
      ? { onPeerClosed: () => {}, resolvePeer: async (host: string, port: number) => makePeer(host, port) }
      : {}),
  };
  return { transport, sent, deliver: (frame: Uint8Array, peer: Peer) => deliver?.(frame, peer) };
}

describe('tapTransport', () => {
  const peer = makePeer('127.0.0.1', 40000);

  it('shows every frame both ways before it moves on', async () => {
    const inner = fakeTransport(false);
    const seen: string[] = [];
    const tapped = tapTransport(inner.transport, {
      sent: (frame, p) => seen.push(`out ${frame[0]} ${p.key}`),
      received: (frame, p) => seen.push(`in ${frame[0]} ${p.key}`),
    });
    const handled: number[] = [];
    tapped.onReceive((frame) => handled.push(frame[0]!));
    await tapped.send(peer, Uint8Array.of(1));
    inner.deliver(Uint8Array.of(2), peer);
    expect(seen).toEqual([`out 1 ${peer.key}`, `in 2 ${peer.key}`]);
    expect(inner.sent.map((f) => f[0])).toEqual([1]);
    expect(handled).toEqual([2]);
    expect(tapped.localAddress()).toEqual({ address: '127.0.0.1', port: 5683 });
  });

  it('keeps the traffic going when an observer throws', async () => {
    const inner = fakeTransport(false);
    const tapped = tapTransport(inner.transport, {
      sent: () => {
        throw new Error('cannot decode');
      },
      received: () => {
        throw new Error('cannot decode');
      },
    });
    const handled: number[] = [];
    tapped.onReceive((frame) => handled.push(frame[0]!));
    await tapped.send(peer, Uint8Array.of(7));
    inner.deliver(Uint8Array.of(8), peer);
    expect(inner.sent.map((f) => f[0])).toEqual([7]);
    expect(handled).toEqual([8]);
  });

  it('has the optional hooks exactly when the wrapped transport has them', async () => {
    expect(tapTransport(fakeTransport(false).transport, {}).resolvePeer).toBeUndefined();
    expect(tapTransport(fakeTransport(false).transport, {}).onPeerClosed).toBeUndefined();
    const tapped = tapTransport(fakeTransport(true).transport, {});
    expect((await tapped.resolvePeer!('::1', 5683)).key).toBe(makePeer('::1', 5683).key);
    expect(tapped.onPeerClosed).toBeTypeOf('function');
  });
});
