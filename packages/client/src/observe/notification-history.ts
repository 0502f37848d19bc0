/**
 * The historical queue of one observation (LwM2M 1.2 `hqmax`, "Maximum Historical Queue").
 *
 * Our reading of OMA LwM2M TS Core 1.2: a notification that comes due while the client cannot
 * reach the server (queue mode asleep, or its registration not standing) is stored when the
 * server's Notification Storing When Disabled or Offline (/1/x/6) is true. Without hqmax only
 * the latest state is kept (delivered on wake as one notification of the current value). With
 * hqmax = N > 0 the client keeps up to N stored notifications per observation, each a snapshot
 * of the observed node(s) with the time it came due, discarding the oldest when full. On wake
 * they are delivered oldest first: in SenML (JSON or CBOR) as one notification whose records
 * carry each snapshot's time (`t`), the "multiple historical representations" of Core §7.4.6
 * (Table 7.4.6-3); in a format without timestamps (text, TLV, CBOR, LwM2M CBOR, opaque) as one
 * notification per stored snapshot, in order. hqmax = 0 is read as "no history": latest only.
 */
import type { LwM2mNode } from '@lwm2m-ts/objects';

/** One stored notification: what the observed paths held when it came due. */
export interface StoredNotification {
  /** Clock time (ms) the notification came due. */
  readonly at: number;
  /** Path text -> node (one entry for a single observation; the present paths of a composite). */
  readonly nodes: ReadonlyMap<string, LwM2mNode>;
}

export class NotificationHistory {
  private stored: StoredNotification[] = [];
  /** Taken out for delivery, waiting for the request handler to render them. */
  private pending: StoredNotification[] = [];

  get size(): number {
    return this.stored.length;
  }

  /**
   * Keeps `n`, dropping the oldest beyond `max` (max >= 1). Notifications that came due at the
   * same instant (two paths of a composite changed together) are one: the later replaces it.
   */
  add(n: StoredNotification, max: number): void {
    const last = this.stored[this.stored.length - 1];
    if (last && last.at === n.at) this.stored.pop();
    this.stored.push(n);
    if (this.stored.length > max) this.stored.splice(0, this.stored.length - max);
  }

  /** Moves everything stored to the delivery queue (after what is still pending). */
  startDelivery(): void {
    this.pending.push(...this.stored);
    this.stored = [];
  }

  /** What the handler renders next, oldest first; empty when nothing waits. */
  get waiting(): readonly StoredNotification[] {
    return this.pending;
  }

  /** The handler rendered the first `count`; returns the last of them. */
  rendered(count: number): StoredNotification | undefined {
    const done = this.pending.splice(0, Math.max(0, count));
    return done[done.length - 1];
  }

  clear(): void {
    this.stored = [];
    this.pending = [];
  }
}
