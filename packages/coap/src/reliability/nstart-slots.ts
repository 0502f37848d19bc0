/**
 * NSTART (RFC 7252 §4.7) for the ReliabilityLayer: at most `nstart` CON requests outstanding per
 * peer; further ones wait in a per-peer queue and go out, in order, as slots are freed (a
 * transfer already under way goes first). The exchange carries its own state (`holdsSlot`,
 * `queued`), so a request that holds a slot costs no lookup here.
 */
import type { CoapMessage } from '@lwm2m-ts/codec';
import type { ClientExchange } from '../exchange';

/** One peer's slots in use and the exchanges waiting for one. */
export interface PeerSlots {
  active: number;
  readonly waiting: ClientExchange[];
}

/** Sends a request that got its slot (the ReliabilityLayer). */
export interface QueuedRequestSender {
  sendRequest(ex: ClientExchange, message: CoapMessage): void;
}

export class NstartSlots {
  private readonly slots = new Map<string, PeerSlots>();

  constructor(
    private readonly nstart: number,
    private readonly sender: QueuedRequestSender,
  ) {}

  /** Takes a slot for `ex` (true), or queues `message` until one is free (false). */
  acquire(ex: ClientExchange, message: CoapMessage): boolean {
    const key = ex.peer.key;
    let s = this.slots.get(key);
    if (!s) {
      s = { active: 0, waiting: [] };
      this.slots.set(key, s);
    }
    if (s.active >= this.nstart) {
      ex.queued = message;
      // A transfer already under way (next block, re-registration) goes first: its server-side
      // state is waiting for it.
      if (ex.messageId >= 0) s.waiting.unshift(ex);
      else s.waiting.push(ex);
      return false;
    }
    s.active++;
    ex.holdsSlot = true;
    return true;
  }

  /** Takes a queued exchange out of the queue (it ended before its turn). */
  withdraw(ex: ClientExchange): void {
    if (!ex.queued) return;
    ex.queued = undefined;
    const s = this.slots.get(ex.peer.key);
    if (s) {
      const i = s.waiting.indexOf(ex);
      if (i >= 0) s.waiting.splice(i, 1);
    }
  }

  /** Gives back the slot `ex` holds, if any, and sends the next waiting requests. */
  free(ex: ClientExchange): void {
    if (!ex.holdsSlot) return;
    ex.holdsSlot = false;
    const s = this.slots.get(ex.peer.key);
    if (!s) return;
    s.active--;
    while (s.active < this.nstart && s.waiting.length > 0) {
      const next = s.waiting.shift()!;
      const m = next.queued;
      next.queued = undefined;
      if (m && !next.done) this.sender.sendRequest(next, m);
    }
    if (s.active === 0 && s.waiting.length === 0) this.slots.delete(ex.peer.key);
  }

  clear(): void {
    this.slots.clear();
  }
}
