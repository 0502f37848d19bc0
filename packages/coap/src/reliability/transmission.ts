/** One CON in flight (the Retransmitter's record) and the key it is found by when answered. */
import type { ClientExchange } from '../exchange';
import type { NotificationOwner } from '../messenger';
import type { TimerNode } from '../timer-heap';
import type { Peer } from '../transport';

/** One CON being retransmitted until ACK, RST or MAX_RETRANSMIT; its own node in the timer heap. */
export interface Transmission extends TimerNode {
  readonly key: string;
  readonly peer: Peer;
  readonly bytes: Uint8Array;
  attempts: number;
  timeoutMs: number;
  /** Exactly one owner: a client exchange, a notification, or a ping. */
  readonly exchange: ClientExchange | undefined;
  readonly notification: NotificationOwner | undefined;
  readonly ping: { resolve(): void; reject(e: Error): void } | undefined;
  /** The transport rejected a (re)transmission: fails the owner at once (one closure per CON). */
  readonly onSendError: (e: unknown) => void;
}

export const midKey = (peer: Peer, mid: number): string => `${peer.key}#${mid}`;
