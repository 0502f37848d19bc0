/**
 * Queue mode (OMA LwM2M TS Transport §6.4): while the client sleeps it does not answer — the
 * transport stays open but inbound frames are dropped, as if the radio were off. Outbound
 * frames still go (a Register/Update wakes the client first).
 */
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';

export class SleepGate implements Transport {
  asleep = false;
  /** Frames dropped while asleep (for tests and statistics). */
  dropped = 0;

  /** Present only when the inner transport has it (the Endpoint reads its presence). */
  readonly onPeerClosed?: (handler: (peer: Peer, reason?: Error) => void) => void;

  constructor(private readonly inner: Transport) {
    if (inner.onPeerClosed) this.onPeerClosed = (handler) => inner.onPeerClosed?.(handler);
  }

  get reliable(): boolean {
    return this.inner.reliable;
  }
  get framing() {
    return this.inner.framing;
  }
  get scheme() {
    return this.inner.scheme;
  }

  send(peer: Peer, frame: Uint8Array): Promise<void> {
    return this.inner.send(peer, frame);
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.inner.onReceive((frame, peer) => {
      if (this.asleep) {
        this.dropped++;
        return;
      }
      handler(frame, peer);
    });
  }

  resolvePeer(host: string, port: number): Promise<Peer> {
    return this.inner.resolvePeer ? this.inner.resolvePeer(host, port) : Promise.resolve(makePeer(host, port));
  }

  localAddress() {
    return this.inner.localAddress();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
