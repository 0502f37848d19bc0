/**
 * Server side of RFC 7641: observer relations per resource path, keyed by peer + token.
 * `notify(path)` renders the resource again per observer and sends it with a fresh sequence
 * number; NON by default with a CON at least every 24 h, one CON in flight per relation (a
 * newer state replaces it). RST, CON timeout or a non-2.xx answer ends a relation.
 */
import { CoapCode, type CoapMessage, createOption, OptionNumber, sortOptions } from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import { exchangeKey, type ServerExchange } from '../exchange';
import type { NotificationOwner } from '../messenger';
import type { IncomingRequest } from '../request';
import type { Route } from '../server/router';
import { splitPath } from '../server/router';
import type { Peer } from '../transport';

export interface ObserveServerOptions {
  /** Send every notification confirmable (default false: NON, with a CON at least every confirmableIntervalMs). */
  readonly confirmable: boolean;
  /** Longest time between two CON notifications to one observer (ms); default 24 h (RFC 7641 §4.5). */
  readonly confirmableIntervalMs: number;
  /** Relations kept at most; beyond, a registration is answered without Observe (default 10 000). */
  readonly maxObservers: number;
}

export const DEFAULT_OBSERVE: ObserveServerOptions = Object.freeze({
  confirmable: false,
  confirmableIntervalMs: 24 * 3600 * 1000,
  maxObservers: 10_000,
});

/** One observe relation as the application sees it. */
export interface ObserverInfo {
  readonly peer: Peer;
  readonly token: Uint8Array;
  /** "/3/0/1" */
  readonly path: string;
}

export interface ObserveServerDeps {
  readonly clock: Clock;
  /** The resource's current answer for a relation (handler run again, first block only). */
  render(rel: Relation): CoapMessage | Promise<CoapMessage>;
  send(rel: Relation, message: CoapMessage, confirmable: boolean): void;
  /** The relation ended: drop message-layer bookkeeping. */
  forget(rel: Relation): void;
}

export class Relation implements NotificationOwner {
  lastConAt: number;
  /** A CON notification awaits its ACK (a newer notification replaces it, RFC 7641 §4.5.2). */
  conInFlight = false;
  removed = false;

  constructor(
    private readonly server: ObserveServer,
    readonly key: string,
    readonly pathKey: string,
    readonly peer: Peer,
    readonly request: CoapMessage,
    readonly exchange: ServerExchange,
    now: number,
  ) {
    this.lastConAt = now;
  }

  onNotificationFailed(): void {
    this.server.remove(this);
  }

  onNotificationAcknowledged(): void {
    this.conInFlight = false;
  }
}

const pathKeyOf = (path: string | readonly string[]): string =>
  `/${(typeof path === 'string' ? splitPath(path) : path).join('/')}`;

/**
 * What the engine does with a request's Observe option, decided before the handler runs so the
 * handler can tell (`CoapRequest.observing`) whether its answer starts an observation.
 */
export const ObserveIntent = Object.freeze({
  /** No registration (no Observe, deregistration, not observable, not GET/FETCH). */
  None: 0,
  /** A registration with a slot held for it: kept if the answer is 2.xx. */
  Registering: 1,
  /** A registration the cap refuses: answered without Observe (RFC 7641 §4.1), nothing kept. */
  Refused: 2,
} as const);
export type ObserveIntent = (typeof ObserveIntent)[keyof typeof ObserveIntent];

export class ObserveServer {
  readonly options: ObserveServerOptions;
  private readonly byKey = new Map<string, Relation>();
  private readonly byPath = new Map<string, Set<Relation>>();
  /** Slots held for registrations whose handler has not answered yet (async handlers). */
  private reserved = 0;
  private seq: number;

  constructor(
    private readonly d: ObserveServerDeps,
    options: Partial<ObserveServerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OBSERVE, ...options };
    this.seq = 1;
  }

  /**
   * Called before the handler of a request carrying Observe: deregistration (1) removes the
   * relation. A registration (0, GET/FETCH, observable resource) holds a slot until `register`
   * (or `release`), or is refused when the cap is full; re-registering a kept relation (same
   * peer and token) replaces it and needs no new slot. Sets `req.observing` for the handler.
   */
  beforeHandler(sx: ServerExchange, req: IncomingRequest, route: Route | undefined): ObserveIntent {
    const observe = req.observe;
    if (observe === undefined) return ObserveIntent.None;
    const registering =
      observe === 0 &&
      route?.definition.observable === true &&
      (req.code === CoapCode.GET || req.code === CoapCode.FETCH);
    if (!registering) {
      this.deregister(sx.peer, req.message.token);
      return ObserveIntent.None;
    }
    const replacing = this.byKey.has(exchangeKey(sx.peer.key, req.message.token));
    if (!replacing && this.byKey.size + this.reserved >= this.options.maxObservers) {
      req.observing = false;
      return ObserveIntent.Refused;
    }
    this.reserved++;
    req.observing = true;
    return ObserveIntent.Registering;
  }

  /** A registration's slot is no longer needed (its handler failed or the answer could not go out). */
  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  /** Whether `peer` observes something with `token` now (O(1)). */
  has(peer: Peer, token: Uint8Array): boolean {
    return this.byKey.has(exchangeKey(peer.key, token));
  }

  /**
   * After the handler of a registration (`beforeHandler` said Registering: its slot is
   * released here): keep the relation if the answer is 2.xx and add Observe.
   */
  register(sx: ServerExchange, req: IncomingRequest, response: CoapMessage): CoapMessage {
    this.release();
    const key = exchangeKey(sx.peer.key, req.message.token);
    const existing = this.byKey.get(key);
    if (existing) this.remove(existing);
    // The slot guarantees room; the size check only guards callers that held none.
    if (response.code >> 5 !== 2 || this.byKey.size + this.reserved >= this.options.maxObservers)
      return withoutObserve(response);
    const pathKey = pathKeyOf(req.path);
    const rel = new Relation(this, key, pathKey, sx.peer, req.message, sx, this.d.clock.now());
    this.byKey.set(key, rel);
    let set = this.byPath.get(pathKey);
    if (!set) {
      set = new Set();
      this.byPath.set(pathKey, set);
    }
    set.add(rel);
    return this.withSequence(response);
  }

  deregister(peer: Peer, token: Uint8Array): void {
    const rel = this.byKey.get(exchangeKey(peer.key, token));
    if (rel) this.remove(rel);
  }

  /**
   * Ends a relation from the notifying side: it leaves the tables (its slot under the cap is
   * free at once) and a CON notification still in flight stops being retransmitted. Nothing is
   * sent: the observer learns it when notifications stop (its Max-Age runs out, RFC 7641 §3.3.1)
   * and must register again. False when there was no such relation.
   */
  end(peer: Peer, token: Uint8Array): boolean {
    const rel = this.byKey.get(exchangeKey(peer.key, token));
    if (!rel) return false;
    this.remove(rel);
    return true;
  }

  /** Notifies the observers of `path` (only `peerKey`'s / only `token`'s when given); returns how many. */
  notify(path: string | readonly string[], confirmable?: boolean, peerKey?: string, token?: Uint8Array): number {
    const set = this.byPath.get(pathKeyOf(path));
    if (!set) return 0;
    const only = peerKey !== undefined && token !== undefined ? exchangeKey(peerKey, token) : undefined;
    let n = 0;
    for (const rel of [...set]) {
      if (only !== undefined ? rel.key !== only : peerKey !== undefined && rel.peer.key !== peerKey) continue;
      this.notifyRelation(rel, confirmable);
      n++;
    }
    return n;
  }

  /** The registered observers (of one path, or all). */
  list(path?: string | readonly string[]): ObserverInfo[] {
    const rels = path === undefined ? [...this.byKey.values()] : [...(this.byPath.get(pathKeyOf(path)) ?? [])];
    return rels.map((r) => ({ peer: r.peer, token: r.request.token, path: r.pathKey }));
  }

  notifyRelation(rel: Relation, confirmable: boolean | undefined): void {
    if (rel.removed) return;
    let answer: CoapMessage | Promise<CoapMessage>;
    try {
      answer = this.d.render(rel);
    } catch {
      this.remove(rel);
      return;
    }
    if (answer instanceof Promise)
      answer.then((m) => this.sendState(rel, m, confirmable)).catch(() => this.remove(rel));
    else {
      try {
        this.sendState(rel, answer, confirmable);
      } catch {
        this.remove(rel); // an answer that cannot be sent ends the relation; notify() never throws
      }
    }
  }

  private sendState(rel: Relation, message: CoapMessage, confirmable: boolean | undefined): void {
    if (rel.removed) return;
    if (message.code >> 5 !== 2) {
      // A non-2.xx notification ends the observation (RFC 7641 §3.2, §4.2).
      this.remove(rel);
      this.d.send(rel, message, true);
      return;
    }
    const now = this.d.clock.now();
    // While a CON is in flight the message layer turns this one into its replacement (CON too).
    const con =
      rel.conInFlight ||
      (confirmable ?? (this.options.confirmable || now - rel.lastConAt >= this.options.confirmableIntervalMs));
    if (con) {
      rel.conInFlight = true;
      rel.lastConAt = now;
    }
    this.d.send(rel, this.withSequence(message), con);
  }

  remove(rel: Relation): void {
    if (rel.removed) return;
    rel.removed = true;
    if (this.byKey.get(rel.key) === rel) this.byKey.delete(rel.key);
    const set = this.byPath.get(rel.pathKey);
    if (set) {
      set.delete(rel);
      if (set.size === 0) this.byPath.delete(rel.pathKey);
    }
    this.d.forget(rel);
  }

  count(path?: string | readonly string[]): number {
    return path === undefined ? this.byKey.size : (this.byPath.get(pathKeyOf(path))?.size ?? 0);
  }

  peerGone(peerKey: string): void {
    for (const rel of [...this.byKey.values()]) if (rel.peer.key === peerKey) this.remove(rel);
  }

  close(): void {
    for (const rel of [...this.byKey.values()]) this.remove(rel);
    this.reserved = 0;
  }

  private withSequence(m: CoapMessage): CoapMessage {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffffff;
    return {
      ...m,
      options: sortOptions([
        ...m.options.filter((o) => o.number !== OptionNumber.OBSERVE),
        createOption(OptionNumber.OBSERVE, seq),
      ]),
    };
  }
}

/** An answer that does not start an observation carries no Observe option (RFC 7641 §4.1). */
export function withoutObserve(m: CoapMessage): CoapMessage {
  const options = m.options;
  for (let i = 0; i < options.length; i++)
    if (options[i]!.number === OptionNumber.OBSERVE)
      return { ...m, options: options.filter((o) => o.number !== OptionNumber.OBSERVE) };
  return m;
}
