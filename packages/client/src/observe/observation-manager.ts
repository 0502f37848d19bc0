/**
 * LwM2M Information Reporting on top of the CoAP observe layer. The CoAP Endpoint keeps the
 * observer relations and renders notifications; this class decides *when* to call
 * `endpoint.notify(path)`, per relation, from the notification attributes (pmin, pmax, gt,
 * lt, st, edge, epmin, epmax, con, hqmax) of the observing server.
 *
 * The engine re-runs the request handler for each notification, and that handler calls
 * `sent()`: so "what was last sent" is recorded exactly when a notification is rendered.
 * Each relation is notified on its own (`endpoint.notify(path, { peer, token })`), so two
 * servers observing the same path follow their own attributes (pmin/pmax per server).
 *
 * Observe-Composite (our reading of OMA LwM2M TS Core 1.2 §5.1.2 and §6.4.4): every path of
 * the composite is evaluated with its own effective attributes (resource instance > resource >
 * object instance > object, for that server, over the server's default pmin/pmax): its own
 * value conditions (gt, lt, st, edge), epmin/epmax, and pmin counted from the last
 * notification of the composite. The composite notification (always carrying every path) is
 * sent as soon as any path's conditions are met and that path's pmin has passed, and at the
 * latest when the shortest effective pmax among the paths expires. A notification resets the
 * timing of every path. `con` is 1 if any path asks for confirmable notifications.
 */
import { type Clock, CoapError } from '@lwm2m-ts/coap';
import { CoapCode } from '@lwm2m-ts/codec';
import type { LwM2mNode, LwM2mPath } from '@lwm2m-ts/objects';
import type { NotificationAttributes } from '../attributes/notification-attributes';
import type { StoredNotification } from './notification-history';
import { effectivePmax, hasValueConditions, type Sample, sampleOf, shouldNotify } from './notify-rules';
import { type ObservationTarget, type PathState, Relation } from './relation';

export type { ObservationTarget } from './relation';

export interface ObservationHost {
  readonly clock: Clock;
  /** Effective attributes of one observed path for one server (precedence and defaults applied). */
  attributes(server: string, path: LwM2mPath): NotificationAttributes;
  /** The node at `path` now (device side); a CoapError 4.04 when it is gone. */
  read(path: LwM2mPath): Promise<LwM2mNode>;
  /** Asks the engine to notify this one relation; returns 0 when the engine no longer has it. */
  notify(target: ObservationTarget, confirmable: boolean | undefined): number;
  /** True while `server` cannot be reached: the client sleeps (queue mode) or its registration is not standing. */
  offline(server: string): boolean;
  /** Whether a server wants notifications kept while the client is offline (/1/x/6). */
  storesNotifications(server: string): boolean;
  /** The last relation of `server` ended (the router forgets a direct-access peer then). */
  serverIdle?(server: string): void;
  /**
   * The client dropped this relation on its own: the CoAP engine must drop it too, or it keeps
   * counting it against its observer cap (a no-op when the engine already lost it).
   */
  ended?(target: ObservationTarget): void;
}

const isNotFound = (e: unknown) => CoapError.isInstance(e) && e.code === CoapCode.NOT_FOUND;

export class ObservationManager {
  private readonly relations = new Map<string, Relation>();
  /** server -> relations it holds, so "does this server observe anything" is O(1). */
  private readonly perServer = new Map<string, number>();

  constructor(private readonly host: ObservationHost) {}

  /**
   * The engine rendered a registration response or a notification for this relation (the
   * handler ran with Observe=0): record what was sent (path text -> sample) and restart timers.
   */
  sent(target: ObservationTarget, samples: ReadonlyMap<string, Sample>): void {
    const now = this.host.clock.now();
    let rel = this.relations.get(target.key);
    if (!rel?.sameObservation(target)) {
      if (rel) this.stopTimers(rel);
      const replaced = rel;
      rel = new Relation(target, now, samples);
      this.relations.set(target.key, rel);
      this.counted(target.server, 1);
      if (replaced) this.counted(replaced.target.server, -1);
    } else rel.markSent(now, samples);
    rel.queued = false;
    this.schedule(rel);
  }

  /**
   * The relation ended (Observe=1, an error answer, a refused registration, or the client's own
   * decision: deregistration, account removed). The engine's relation ends with it unless
   * `engineEnds` says the engine ends it itself (a 4.04 notification is on its way).
   */
  cancel(key: string, engineEnds = false): void {
    const rel = this.relations.get(key);
    if (!rel) return;
    this.stopTimers(rel);
    rel.history.clear();
    this.relations.delete(key);
    if (!engineEnds) this.host.ended?.(rel.target);
    this.counted(rel.target.server, -1);
  }

  /** True while `server` holds at least one relation. */
  observes(server: string): boolean {
    return this.perServer.has(server);
  }

  private counted(server: string, delta: number): void {
    const n = (this.perServer.get(server) ?? 0) + delta;
    if (n > 0) {
      this.perServer.set(server, n);
      return;
    }
    this.perServer.delete(server);
    this.host.serverIdle?.(server);
  }

  /** Ends every relation of a server (deregistration, account removed). */
  cancelServer(server: string): void {
    for (const rel of [...this.relations.values()]) if (rel.target.server === server) this.cancel(rel.target.key);
  }

  /** Attributes changed: restart timers with the new values. */
  attributesChanged(server: string): void {
    for (const rel of this.relations.values()) if (rel.target.server === server) this.schedule(rel);
  }

  /** Values under `paths` changed: evaluate the observed paths that cover or contain them. */
  valuesChanged(paths: readonly LwM2mPath[]): void {
    for (const rel of [...this.relations.values()])
      for (const ps of rel.paths)
        if (paths.some((c) => ps.path.contains(c) || c.contains(ps.path))) this.evaluateSoon(rel, ps);
  }

  /** Back online (queue mode wake, registration refreshed): send what came due meanwhile. */
  flushQueued(): void {
    for (const rel of [...this.relations.values()]) {
      if (!rel.queued || this.host.offline(rel.target.server)) continue;
      void rel.recording.then(() => {
        if (this.alive(rel) && rel.queued && !this.host.offline(rel.target.server)) this.send(rel);
      });
    }
  }

  // ---- historical notifications (hqmax), rendered by the request handler ----------------------

  /** Stored notifications the handler should render for this relation now, oldest first. */
  pendingHistory(key: string): readonly StoredNotification[] | undefined {
    const waiting = this.relations.get(key)?.history.waiting;
    return waiting && waiting.length > 0 ? waiting : undefined;
  }

  /**
   * The handler rendered the first `count` stored notifications (all of them in one SenML
   * payload, or one in a format without timestamps); the rest follow in later notifications.
   */
  historyRendered(target: ObservationTarget, count: number): void {
    const rel = this.relations.get(target.key);
    if (!rel) return;
    const last = rel.history.rendered(count);
    if (last) rel.markSent(this.host.clock.now(), samplesOf(last.nodes));
    this.schedule(rel);
    if (rel.history.waiting.length > 0)
      this.host.clock.setTimeout(() => {
        if (this.alive(rel) && rel.history.waiting.length > 0) this.notifyEngine(rel);
      }, 0);
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
    for (const rel of this.relations.values()) {
      this.stopTimers(rel);
      this.host.ended?.(rel.target);
    }
    this.relations.clear();
    const servers = [...this.perServer.keys()];
    this.perServer.clear();
    for (const server of servers) this.host.serverIdle?.(server);
  }

  // ---- evaluation ---------------------------------------------------------------------------

  private attrs(rel: Relation, ps: PathState): NotificationAttributes {
    return this.host.attributes(rel.target.server, ps.path);
  }

  private alive(rel: Relation): boolean {
    return this.relations.get(rel.target.key) === rel;
  }

  private evaluateSoon(rel: Relation, ps: PathState): void {
    const a = this.attrs(rel, ps);
    const now = this.host.clock.now();
    if (a.epmin !== undefined && a.epmin > 0 && now - ps.lastEvaluatedAt < a.epmin * 1000) {
      // Within this path's minimum evaluation period: look again when it ends.
      if (ps.epminTimer === undefined)
        ps.epminTimer = this.host.clock.setTimeout(
          () => {
            ps.epminTimer = undefined;
            void this.evaluate(rel, ps);
          },
          ps.lastEvaluatedAt + a.epmin * 1000 - now,
        );
      return;
    }
    void this.evaluate(rel, ps);
  }

  private async evaluate(rel: Relation, ps: PathState): Promise<void> {
    if (ps.evaluating) {
      // A change while the value is being read: look again once this evaluation is done.
      ps.again = true;
      return;
    }
    ps.evaluating = true;
    ps.again = false;
    try {
      const a = this.attrs(rel, ps);
      // Value conditions apply to single resources (and resource instances); any change of an
      // object, instance or multiple resource counts.
      let current: Sample;
      let notify = true;
      if (ps.path.ids.length >= 3) {
        current = sampleOf(await this.host.read(ps.path));
        if (!this.alive(rel)) return;
        notify = shouldNotify(a, { lastSent: ps.lastSent, lastEvaluated: ps.lastEvaluated }, current);
      }
      ps.lastEvaluated = current;
      ps.lastEvaluatedAt = this.host.clock.now();
      if (notify) ps.due = true;
      if (ps.due) this.fireWhenAllowed(rel, ps, a);
      this.scheduleEpmax(rel, ps, a);
    } catch (e) {
      if (isNotFound(e) && this.alive(rel)) {
        if (rel.paths.length === 1) {
          // The target is gone: the rendered 4.04 ends the CoAP relation, and ours with it
          // (offline, nothing is rendered: the engine's relation is ended here).
          const online = !this.host.offline(rel.target.server);
          this.fire(rel);
          this.cancel(rel.target.key, online);
        } else {
          // A composite leaves a vanished path out: that is a change worth notifying.
          ps.due = true;
          this.fireWhenAllowed(rel, ps, this.attrs(rel, ps));
        }
      }
      // Other read failures do not end the observation; the next change or pmax tries again.
    } finally {
      ps.evaluating = false;
    }
    if (ps.again && this.alive(rel)) await this.evaluate(rel, ps);
  }

  /** Fires once this path's pmin has passed since the relation's last notification. */
  private fireWhenAllowed(rel: Relation, ps: PathState, a: NotificationAttributes): void {
    const wait = rel.lastSentAt + (a.pmin ?? 0) * 1000 - this.host.clock.now();
    if (wait <= 0) {
      this.fire(rel);
      return;
    }
    if (ps.pminTimer === undefined)
      ps.pminTimer = this.host.clock.setTimeout(() => {
        ps.pminTimer = undefined;
        if (ps.due) this.fire(rel);
      }, wait);
  }

  private fire(rel: Relation): void {
    if (this.host.offline(rel.target.server)) {
      this.hold(rel);
      return;
    }
    this.send(rel);
  }

  private send(rel: Relation): void {
    rel.queued = false;
    rel.history.startDelivery();
    this.notifyEngine(rel);
  }

  private notifyEngine(rel: Relation): void {
    const count = this.host.notify(rel.target, this.confirmable(rel));
    // The engine no longer has this relation (RST, timeout, peer gone): forget ours too.
    if (count === 0) this.cancel(rel.target.key);
  }

  private confirmable(rel: Relation): boolean | undefined {
    const cons = rel.paths.map((ps) => this.attrs(rel, ps).con);
    if (cons.includes(1)) return true;
    return cons.includes(0) ? false : undefined;
  }

  // ---- offline: keep the latest, or up to hqmax stored notifications ---------------------------

  private hold(rel: Relation): void {
    if (!this.host.storesNotifications(rel.target.server)) {
      // Notification Storing is off: what came due offline is dropped.
      for (const ps of rel.paths) ps.due = false;
      return;
    }
    rel.queued = true;
    const hqmax = this.hqmaxOf(rel);
    if (hqmax === undefined) return; // latest only: rendered from the current value on wake
    for (const ps of rel.paths) ps.due = false;
    rel.recording = rel.recording.then(() => this.record(rel, hqmax)).catch(() => {});
  }

  /** The smallest positive hqmax among the paths (a composite keeps one queue). */
  private hqmaxOf(rel: Relation): number | undefined {
    let min: number | undefined;
    for (const ps of rel.paths) {
      const h = this.attrs(rel, ps).hqmax;
      if (h !== undefined && h > 0 && (min === undefined || h < min)) min = h;
    }
    return min;
  }

  private async record(rel: Relation, hqmax: number): Promise<void> {
    const at = this.host.clock.now();
    const nodes = new Map<string, LwM2mNode>();
    for (const ps of rel.paths) {
      try {
        nodes.set(ps.key, await this.host.read(ps.path));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (!this.alive(rel) || nodes.size === 0) return;
    rel.history.add({ at, nodes }, hqmax);
    // A stored notification counts as sent: pmin, pmax and st run from it.
    rel.markSent(at, samplesOf(nodes));
    this.schedule(rel);
  }

  // ---- timers -------------------------------------------------------------------------------

  private schedule(rel: Relation): void {
    this.stopTimers(rel);
    let pmax: number | undefined;
    for (const ps of rel.paths) {
      const a = this.attrs(rel, ps);
      const p = effectivePmax(a);
      if (p !== undefined && (pmax === undefined || p < pmax)) pmax = p;
      this.scheduleEpmax(rel, ps, a);
    }
    if (pmax !== undefined)
      rel.pmaxTimer = this.host.clock.setTimeout(
        () => {
          rel.pmaxTimer = undefined;
          this.fire(rel);
        },
        Math.max(0, rel.lastSentAt + pmax * 1000 - this.host.clock.now()),
      );
  }

  private scheduleEpmax(rel: Relation, ps: PathState, a: NotificationAttributes): void {
    if (ps.epmaxTimer !== undefined) this.host.clock.clearTimeout(ps.epmaxTimer);
    ps.epmaxTimer = undefined;
    if (a.epmax === undefined || a.epmax <= 0 || !hasValueConditions(a)) return;
    ps.epmaxTimer = this.host.clock.setTimeout(() => {
      ps.epmaxTimer = undefined;
      void this.evaluate(rel, ps);
    }, a.epmax * 1000);
  }

  private stopTimers(rel: Relation): void {
    if (rel.pmaxTimer !== undefined) this.host.clock.clearTimeout(rel.pmaxTimer);
    rel.pmaxTimer = undefined;
    for (const ps of rel.paths) {
      for (const t of [ps.pminTimer, ps.epminTimer, ps.epmaxTimer])
        if (t !== undefined) this.host.clock.clearTimeout(t);
      ps.pminTimer = ps.epminTimer = ps.epmaxTimer = undefined;
    }
  }
}

/** Samples the notification rules compare, per path text. */
export function samplesOf(nodes: ReadonlyMap<string, LwM2mNode>): Map<string, Sample> {
  const out = new Map<string, Sample>();
  for (const [k, node] of nodes) out.set(k, sampleOf(node));
  return out;
}
