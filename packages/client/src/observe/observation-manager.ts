/**
 * LwM2M Information Reporting on top of the CoAP observe layer. The CoAP Endpoint keeps the
 * observer relations and renders notifications; this class decides *when* to call
 * `endpoint.notify(path)`, per relation, from the notification attributes (pmin, pmax, gt,
 * lt, st, edge, epmin, epmax, con) of the observing server.
 *
 * The engine re-runs the request handler for each notification, and that handler calls
 * `sent()`: so "what was last sent" is recorded exactly when a notification is rendered.
 * Each relation is notified on its own (`endpoint.notify(path, { peer, token })`), so two
 * servers observing the same path follow their own attributes (pmin/pmax per server).
 */
import { type Clock, CoapError, type Peer } from '@lwm2m-ts/coap';
import { CoapCode } from '@lwm2m-ts/codec';
import type { LwM2mPath } from '@lwm2m-ts/objects';
import type { NotificationAttributes } from '../attributes/notification-attributes';
import { effectivePmax, hasValueConditions, type Sample, shouldNotify } from './notify-rules';

export interface ObservationTarget {
  /** Observing server (its key in the attribute store). */
  readonly server: string;
  /** CoAP relation key: peer key + token. */
  readonly key: string;
  /** The CoAP path the engine keys the relation by ("/3/0/1", "/" for composite). */
  readonly coapPath: string;
  /** The observer as the request handler saw it, and the relation's token. */
  readonly peer: Peer;
  readonly token: Uint8Array;
  /** LwM2M paths observed (one, or several for Observe-Composite). */
  readonly paths: readonly LwM2mPath[];
}

export interface ObservationHost {
  readonly clock: Clock;
  /** Effective attributes of one relation (precedence and server defaults applied). */
  attributes(target: ObservationTarget): NotificationAttributes;
  /** Current value of a single-resource relation for gt/lt/st/edge, undefined otherwise. */
  sample(target: ObservationTarget): Promise<Sample>;
  /** Asks the engine to notify this one relation; returns 0 when the engine no longer has it. */
  notify(target: ObservationTarget, confirmable: boolean | undefined): number;
  /** True while the client sleeps (queue mode): notifications wait for wake-up. */
  sleeping(): boolean;
  /** Whether a server wants notifications kept while the client is offline (/1/x/6). */
  storesNotifications(server: string): boolean;
}

class Relation {
  lastSentAt: number;
  lastSent: Sample;
  lastEvaluated: Sample;
  lastEvaluatedAt: number;
  /** A change satisfied the rules; waiting for pmin. */
  due = false;
  /** Came due while sleeping. */
  queued = false;
  pminTimer: unknown;
  pmaxTimer: unknown;
  epminTimer: unknown;
  epmaxTimer: unknown;
  evaluating = false;
  again = false;
  constructor(
    readonly target: ObservationTarget,
    now: number,
    sample: Sample,
  ) {
    this.lastSentAt = now;
    this.lastSent = sample;
    this.lastEvaluated = sample;
    this.lastEvaluatedAt = now;
  }
}

export class ObservationManager {
  private readonly relations = new Map<string, Relation>();

  constructor(private readonly host: ObservationHost) {}

  /**
   * The engine rendered a registration response or a notification for this relation (the
   * handler ran with Observe=0): record what was sent and restart pmin / pmax.
   */
  sent(target: ObservationTarget, sample: Sample): void {
    const now = this.host.clock.now();
    let rel = this.relations.get(target.key);
    if (!rel || rel.target.coapPath !== target.coapPath) {
      if (rel) this.stopTimers(rel);
      rel = new Relation(target, now, sample);
      this.relations.set(target.key, rel);
    } else {
      rel.lastSentAt = now;
      rel.lastSent = sample;
      rel.lastEvaluated = sample;
      rel.lastEvaluatedAt = now;
    }
    rel.due = false;
    rel.queued = false;
    this.schedule(rel);
  }

  /** Observe=1 (or an error answer): the relation ended. */
  cancel(key: string): void {
    const rel = this.relations.get(key);
    if (!rel) return;
    this.stopTimers(rel);
    this.relations.delete(key);
  }

  /** Ends every relation of a server (deregistration, account removed). */
  cancelServer(server: string): void {
    for (const rel of [...this.relations.values()]) if (rel.target.server === server) this.cancel(rel.target.key);
  }

  /** Attributes changed: restart timers with the new values. */
  attributesChanged(server: string): void {
    for (const rel of this.relations.values()) if (rel.target.server === server) this.schedule(rel);
  }

  /** Values under `paths` changed: evaluate the relations that cover or contain them. */
  valuesChanged(paths: readonly LwM2mPath[]): void {
    for (const rel of [...this.relations.values()]) {
      if (rel.target.paths.some((o) => paths.some((c) => o.contains(c) || c.contains(o)))) this.evaluateSoon(rel);
    }
  }

  /** Woke up (queue mode): send what came due while sleeping. */
  flushQueued(): void {
    for (const rel of [...this.relations.values()]) if (rel.queued) this.fire(rel);
  }

  get size(): number {
    return this.relations.size;
  }

  /** Relations, for inspection (tests, the device simulator). */
  list(): { server: string; coapPath: string; key: string }[] {
    return [...this.relations.values()].map((r) => ({
      server: r.target.server,
      coapPath: r.target.coapPath,
      key: r.target.key,
    }));
  }

  close(): void {
    for (const rel of this.relations.values()) this.stopTimers(rel);
    this.relations.clear();
  }

  // ---- internals --------------------------------------------------------------------------

  private evaluateSoon(rel: Relation): void {
    const a = this.host.attributes(rel.target);
    const now = this.host.clock.now();
    if (a.epmin !== undefined && a.epmin > 0 && now - rel.lastEvaluatedAt < a.epmin * 1000) {
      // Within the minimum evaluation period: look again when it ends.
      if (rel.epminTimer === undefined)
        rel.epminTimer = this.host.clock.setTimeout(
          () => {
            rel.epminTimer = undefined;
            void this.evaluate(rel);
          },
          rel.lastEvaluatedAt + a.epmin * 1000 - now,
        );
      return;
    }
    void this.evaluate(rel);
  }

  private async evaluate(rel: Relation): Promise<void> {
    if (rel.evaluating) {
      // A change while the value is being read: look again once this evaluation is done.
      rel.again = true;
      return;
    }
    rel.evaluating = true;
    rel.again = false;
    try {
      const a = this.host.attributes(rel.target);
      const current = await this.host.sample(rel.target);
      if (this.relations.get(rel.target.key) !== rel) return;
      const notify =
        rel.target.paths.length > 1 || rel.target.paths[0]!.ids.length < 3
          ? true
          : shouldNotify(a, { lastSent: rel.lastSent, lastEvaluated: rel.lastEvaluated }, current);
      rel.lastEvaluated = current;
      rel.lastEvaluatedAt = this.host.clock.now();
      if (notify) rel.due = true;
      if (rel.due) this.fireWhenAllowed(rel, a);
      this.scheduleEpmax(rel, a);
    } catch (e) {
      if (CoapError.isInstance(e) && e.code === CoapCode.NOT_FOUND) {
        // The target is gone: the rendered 4.04 ends the CoAP relation, and ours with it.
        this.fire(rel);
        this.cancel(rel.target.key);
      }
      // Other read failures do not end the observation; the next change or pmax tries again.
    } finally {
      rel.evaluating = false;
    }
    if (rel.again && this.relations.get(rel.target.key) === rel) await this.evaluate(rel);
  }

  private fireWhenAllowed(rel: Relation, a: NotificationAttributes): void {
    const wait = rel.lastSentAt + (a.pmin ?? 0) * 1000 - this.host.clock.now();
    if (wait <= 0) {
      this.fire(rel);
      return;
    }
    if (rel.pminTimer === undefined)
      rel.pminTimer = this.host.clock.setTimeout(() => {
        rel.pminTimer = undefined;
        if (rel.due) this.fire(rel);
      }, wait);
  }

  private fire(rel: Relation): void {
    if (this.host.sleeping()) {
      // Kept for wake-up, or dropped when the server set Notification Storing to false.
      if (this.host.storesNotifications(rel.target.server)) rel.queued = true;
      else rel.due = false;
      return;
    }
    const a = this.host.attributes(rel.target);
    const con = a.con === undefined ? undefined : a.con === 1;
    const count = this.host.notify(rel.target, con);
    // The engine no longer has this relation (RST, timeout, peer gone): forget ours too.
    if (count === 0) this.cancel(rel.target.key);
  }

  private schedule(rel: Relation): void {
    this.stopTimers(rel);
    const a = this.host.attributes(rel.target);
    const pmax = effectivePmax(a);
    if (pmax !== undefined) {
      rel.pmaxTimer = this.host.clock.setTimeout(
        () => {
          rel.pmaxTimer = undefined;
          rel.due = true;
          this.fire(rel);
        },
        Math.max(0, rel.lastSentAt + pmax * 1000 - this.host.clock.now()),
      );
    }
    this.scheduleEpmax(rel, a);
  }

  private scheduleEpmax(rel: Relation, a: NotificationAttributes): void {
    if (rel.epmaxTimer !== undefined) this.host.clock.clearTimeout(rel.epmaxTimer);
    rel.epmaxTimer = undefined;
    if (a.epmax === undefined || a.epmax <= 0 || !hasValueConditions(a)) return;
    rel.epmaxTimer = this.host.clock.setTimeout(() => {
      rel.epmaxTimer = undefined;
      void this.evaluate(rel);
    }, a.epmax * 1000);
  }

  private stopTimers(rel: Relation): void {
    for (const t of [rel.pminTimer, rel.pmaxTimer, rel.epminTimer, rel.epmaxTimer])
      if (t !== undefined) this.host.clock.clearTimeout(t);
    rel.pminTimer = rel.pmaxTimer = rel.epminTimer = rel.epmaxTimer = undefined;
  }
}
