/**
 * Empty-ACK deadlines of served CON requests (RFC 7252 §5.2.2): when a handler has not answered
 * within the piggyback window, the request gets an empty ACK, so the peer stops retransmitting
 * and waits for a separate response. One TimerHeap (one clock timer) for all pending deadlines;
 * the empty ACK is stored as the request's reply in the dedup cache, so a duplicate gets it again.
 */
import { CoapCode, createMessage, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import type { ServerExchange } from '../exchange';
import { TimerHeap } from '../timer-heap';
import type { Peer } from '../transport';
import type { DedupCache } from './dedup-cache';

/** Where an empty ACK goes out (the ReliabilityLayer's fire-and-forget write). */
export interface AckWriter {
  write(peer: Peer, bytes: Uint8Array): void;
}

export class EmptyAckDeadlines {
  private readonly heap: TimerHeap<ServerExchange>;

  constructor(
    clock: Clock,
    /** How long a handler may take before a CON request gets an empty ACK (ms). */
    private readonly windowMs: number,
    private readonly dedup: DedupCache,
    private readonly out: AckWriter,
  ) {
    this.heap = new TimerHeap<ServerExchange>(clock, (sx) => {
      if (!sx.acked && !sx.responded) this.sendEmptyAck(sx);
    });
  }

  /** The handler is slow: acknowledge the CON request when the window ends (unless answered by then). */
  defer(sx: ServerExchange): void {
    if (sx.request.type !== MessageType.CON || sx.acked || sx.responded || sx.heapIndex >= 0) return;
    this.heap.schedule(sx, this.windowMs);
  }

  /** The request is being answered: no empty ACK (callers check `sx.heapIndex >= 0` first). */
  cancel(sx: ServerExchange): void {
    this.heap.cancel(sx);
  }

  sendEmptyAck(sx: ServerExchange): void {
    sx.acked = true;
    const bytes = encodeUdp(
      createMessage({ type: MessageType.ACK, code: CoapCode.EMPTY, messageId: sx.request.messageId }),
    );
    this.dedup.setReply(sx.dedupSlot, sx.dedupGen, bytes);
    this.out.write(sx.peer, bytes);
  }

  clear(): void {
    this.heap.clear();
  }
}
