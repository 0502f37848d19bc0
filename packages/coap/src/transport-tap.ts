/**
 * A Transport that shows every frame to an observer on its way through (message logs, traces),
 * and otherwise is the transport it wraps: same framing, peers, close and optional hooks.
 * Observers run before the frame moves on; one that throws does not stop the frame.
 */
import type { Peer, Transport } from './transport';

export interface TransportTap {
  /** A frame about to be sent to `peer`. */
  sent?(frame: Uint8Array, peer: Peer): void;
  /** A frame received from `peer`, before the engine sees it. */
  received?(frame: Uint8Array, peer: Peer): void;
}

export function tapTransport(transport: Transport, tap: TransportTap): Transport {
  const show = (observer: ((frame: Uint8Array, peer: Peer) => void) | undefined, frame: Uint8Array, peer: Peer) => {
    try {
      observer?.(frame, peer);
    } catch {
      // An observer's failure (e.g. a frame it cannot decode) is not the traffic's business.
    }
  };
  const tapped: Transport = {
    reliable: transport.reliable,
    framing: transport.framing,
    scheme: transport.scheme,
    send: (peer, frame) => {
      show(tap.sent, frame, peer);
      return transport.send(peer, frame);
    },
    onReceive: (handler) =>
      transport.onReceive((frame, peer) => {
        show(tap.received, frame, peer);
        handler(frame, peer);
      }),
    localAddress: () => transport.localAddress(),
    close: () => transport.close(),
  };
  if (transport.onPeerClosed) tapped.onPeerClosed = (handler) => transport.onPeerClosed?.(handler);
  if (transport.resolvePeer) tapped.resolvePeer = (host, port) => transport.resolvePeer!(host, port);
  return tapped;
}
