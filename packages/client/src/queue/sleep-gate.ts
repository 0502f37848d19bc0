/**
 * Queue mode (OMA LwM2M TS Transport §6.4): while the client sleeps it does not answer — the
 * transport stays open but inbound frames are dropped, as if the radio were off. Outbound
 * frames still go (a Register/Update wakes the client first). One gate per transport; all
 * gates of a client share one `SleepState`.
 *
 * The gate also reports send failures per peer (a DTLS handshake that failed), so a Register
 * fails at once with the transport's reason instead of timing out.
 */
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';

export interface SleepState {
  asleep: boolean;
}

/** A transport that can end a session but keep it resumable (DTLS `disconnect`). */
interface Disconnectable {
  disconnect(peer: Peer, options?: { notify?: boolean }): void | Promise<void>;
}

const canDisconnect = (t: Transport): t is Transport & Disconnectable =>
  typeof (t as Partial<Disconnectable>).disconnect === 'function';

export class SleepGate implements Transport {
  /** Frames dropped while asleep (for tests and statistics). */
  dropped = 0;
  /** Peers we disconnected before sleeping: their close is ours, not the peer's going away. */
  private readonly parked = new Set<string>();
  private readonly failureListeners = new Set<(peer: Peer, error: Error) => void>();

  /** Present only when the inner transport has it (the Endpoint reads its presence). */
  readonly onPeerClosed?: (handler: (peer: Peer, reason?: Error) => void) => void;

  constructor(
    readonly inner: Transport,
    private readonly state: SleepState = { asleep: false },
  ) {
    if (inner.onPeerClosed)
      this.onPeerClosed = (handler) =>
        inner.onPeerClosed?.((peer, reason) => {
          // A session parked for sleep is resumed on the next send; observations stay.
          if (this.parked.has(peer.key)) return;
          handler(peer, reason);
        });
  }

  get asleep(): boolean {
    return this.state.asleep;
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

  async send(peer: Peer, frame: Uint8Array): Promise<void> {
    this.parked.delete(peer.key);
    try {
      await this.inner.send(peer, frame);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const l of [...this.failureListeners]) l(peer, error);
      throw error;
    }
  }

  /** Calls `listener` for every failed send until the returned function is called. */
  onSendFailure(listener: (peer: Peer, error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.inner.onReceive((frame, peer) => {
      if (this.state.asleep) {
        this.dropped++;
        return;
      }
      handler(frame, peer);
    });
  }

  /** True when the inner transport keeps sessions that can be parked (DTLS). */
  get sessions(): boolean {
    return canDisconnect(this.inner);
  }

  /**
   * Before sleeping: end the session with `peer` but keep it resumable, so the wake-up send
   * runs an abbreviated handshake. No-op for transports without sessions.
   */
  async disconnect(peer: Peer): Promise<void> {
    if (!canDisconnect(this.inner)) return;
    this.parked.add(peer.key);
    await this.inner.disconnect(peer);
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
