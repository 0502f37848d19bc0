/**
 * A Transport wrapper that counts what a device sends: notifications (CON/NON responses that
 * carry Observe) and datagrams, for the simulator's throughput summary. It peeks at the CoAP
 * header and options only; it never changes a frame.
 */
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';

export interface TrafficCounters {
  notifications: number;
  sent: number;
  received: number;
}

export const newCounters = (): TrafficCounters => ({ notifications: 0, sent: 0, received: 0 });

const OBSERVE_OPTION = 6;

/** True for a notification: type CON (0) or NON (1), a response code (class 2-5), an Observe option. */
export function isNotification(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const first = frame[0]!;
  const type = (first >> 4) & 0x3;
  const code = frame[1]!;
  if (type > 1 || code < 0x40) return false;
  let at = 4 + (first & 0x0f);
  let option = 0;
  while (at < frame.length) {
    const byte = frame[at++]!;
    if (byte === 0xff) return false;
    let delta = byte >> 4;
    let length = byte & 0x0f;
    if (delta === 13) delta = 13 + (frame[at++] ?? 0);
    else if (delta === 14) {
      delta = 269 + (((frame[at] ?? 0) << 8) | (frame[at + 1] ?? 0));
      at += 2;
    } else if (delta === 15) return false;
    if (length === 13) length = 13 + (frame[at++] ?? 0);
    else if (length === 14) {
      length = 269 + (((frame[at] ?? 0) << 8) | (frame[at + 1] ?? 0));
      at += 2;
    } else if (length === 15) return false;
    option += delta;
    if (option === OBSERVE_OPTION) return true;
    if (option > OBSERVE_OPTION) return false;
    at += length;
  }
  return false;
}

export class CountingTransport implements Transport {
  readonly onPeerClosed?: (handler: (peer: Peer, reason?: Error) => void) => void;

  constructor(
    private readonly inner: Transport,
    private readonly counters: TrafficCounters,
  ) {
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
    this.counters.sent++;
    if (isNotification(frame)) this.counters.notifications++;
    return this.inner.send(peer, frame);
  }

  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.inner.onReceive((frame, peer) => {
      this.counters.received++;
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
