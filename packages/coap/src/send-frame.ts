import type { Peer, Transport } from './transport';

/**
 * Hands one frame to the transport; a rejection (or a transport that throws instead of
 * rejecting) goes to `onError`, never unhandled.
 */
export function sendFrame(transport: Transport, peer: Peer, frame: Uint8Array, onError: (e: unknown) => void): void {
  let sent: Promise<void>;
  try {
    sent = transport.send(peer, frame);
  } catch (e) {
    sent = Promise.reject(e);
  }
  sent.catch(onError);
}
