/**
 * The Resource Directory (RFC 9176) core: registrations, updates, removal, lifetime expiry and
 * lookups over an RdStore. CoAP framing lives in coap-interface.ts; this file takes parsed
 * parameters so it can be driven (and benchmarked) without a network.
 */
import { type Clock, CoapError, type Peer, systemClock } from '@lwm2m-ts/coap';
import type { Link } from '@lwm2m-ts/codec';
import { identityKey } from './identity';
import { MemoryRdStore } from './memory-rd-store';
import { DEFAULT_LIFETIME_S, mergeAttributes, type RegistrationParameters } from './parameters';
import { type Criterion, type LookupQuery, linkMatches, registrationMatches } from './query';
import type { RdStore } from './rd-store';
import { endpointLink, type Registration, resolvedLink } from './registration';

export type RdAction = 'register' | 'update' | 'remove' | 'read' | 'lookup';

export interface AuthorizationRequest {
  readonly action: RdAction;
  readonly peer: Peer;
  /** The registration acted on (for register: the one with the same ep and d, if any). */
  readonly registration: Registration | undefined;
  readonly ep?: string;
  readonly d?: string | undefined;
}

/** Return false to answer 4.03 Forbidden. */
export type RdAuthorizer = (request: AuthorizationRequest) => boolean | Promise<boolean>;

/**
 * Default policy: a registration made over a secured transport belongs to that security
 * identity; only the same identity may replace, update, read or remove it. Lookups are open.
 */
export const ownerOnly: RdAuthorizer = ({ action, peer, registration }) => {
  if (action === 'lookup' || !registration || registration.owner === undefined) return true;
  return identityKey(peer.identity) === registration.owner;
};

export type RdEvent =
  | { readonly type: 'registered' | 'updated'; readonly registration: Registration; readonly previous?: Registration }
  | { readonly type: 'removed' | 'expired'; readonly registration: Registration };

export interface ResourceDirectoryOptions {
  readonly store?: RdStore;
  readonly clock?: Clock;
  /** New registration resource ids; default 8 random hex digits. Must not repeat ids in use (checked). */
  readonly idGenerator?: () => string;
  readonly authorize?: RdAuthorizer;
  /** Endpoint name for a registration without `ep` (e.g. from the PSK identity); default none (4.00). */
  readonly endpointNameFromIdentity?: (peer: Peer) => string | undefined;
  /** Path of the registration interface; default "rd". Lookups are at "<rd>-lookup/ep|res". */
  readonly registrationPath?: string;
  readonly lookupPath?: string;
  readonly minLifetimeS?: number;
  readonly maxLifetimeS?: number;
  /** Most links per registration (default 1000) and registrations in all (default 1,000,000, then 5.03). */
  readonly maxLinks?: number;
  readonly maxRegistrations?: number;
  /**
   * Which registrations a lookup by `peer` may see (e.g. only its own sector); default all.
   * Applied to endpoint and resource lookups, and so to what observers of lookups see.
   */
  readonly lookupFilter?: (peer: Peer, registration: Registration) => boolean;
  /**
   * Most links one lookup answers when it has no `count` (default 10,000): larger results are
   * cut there, and a client pages with `page`/`count` (bounds response memory with 100k+ entries).
   */
  readonly maxLookupResults?: number;
  /** Errors nobody awaits: a change listener that threw, a store failing during an expiry sweep. */
  readonly onError?: (error: unknown, where: string) => void;
}

/** Who sent a request: the authenticated peer and the base URI of its source address. */
export interface RequestSource {
  readonly peer: Peer;
  /** "coap://[2001:db8::1]:5683" — the implicit base. */
  readonly sourceBase: string;
}

const randomId = (): string => {
  const b = new Uint8Array(4);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
};

const DAY_MS = 86_400_000;

export class ResourceDirectory {
  readonly store: RdStore;
  readonly clock: Clock;
  readonly registrationPath: string;
  readonly lookupPath: string;
  readonly lifetimeLimits: { minLifetimeS: number; maxLifetimeS: number };
  private readonly nextId: () => string;
  private readonly authorizer: RdAuthorizer;
  private readonly nameFromIdentity: ((peer: Peer) => string | undefined) | undefined;
  private readonly maxLinks: number;
  private readonly maxRegistrations: number;
  private readonly lookupFilter: ((peer: Peer, registration: Registration) => boolean) | undefined;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly maxLookupResults: number;
  private readonly listeners = new Set<(e: RdEvent) => void>();
  private serial: Promise<unknown> = Promise.resolve();
  private timer: { handle: unknown; at: number } | undefined;
  private closed = false;

  constructor(options: ResourceDirectoryOptions = {}) {
    this.store = options.store ?? new MemoryRdStore();
    this.clock = options.clock ?? systemClock;
    this.nextId = options.idGenerator ?? randomId;
    this.authorizer = options.authorize ?? ownerOnly;
    this.nameFromIdentity = options.endpointNameFromIdentity;
    this.registrationPath = options.registrationPath ?? 'rd';
    this.lookupPath = options.lookupPath ?? `${this.registrationPath}-lookup`;
    this.lifetimeLimits = {
      minLifetimeS: options.minLifetimeS ?? 1,
      maxLifetimeS: options.maxLifetimeS ?? 0xffff_ffff,
    };
    this.maxLinks = options.maxLinks ?? 1000;
    this.maxRegistrations = options.maxRegistrations ?? 1_000_000;
    this.lookupFilter = options.lookupFilter;
    this.onError = options.onError ?? (() => {});
    this.maxLookupResults = options.maxLookupResults ?? 10_000;
  }

  /** The endpoint name of a registration request: `ep`, or one derived from the identity; else 4.00. */
  endpointName(params: RegistrationParameters, peer: Peer): string {
    const ep = params.ep ?? this.nameFromIdentity?.(peer);
    if (ep === undefined) throw CoapError.badRequest('missing ep (endpoint name)');
    return ep;
  }

  /** Registration changes (also expiry); returns an unsubscribe function. */
  onChange(listener: (e: RdEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Registers (or re-registers: same ep and d keep their registration resource). */
  register(params: RegistrationParameters, links: readonly Link[], source: RequestSource): Promise<Registration> {
    return this.exclusive(async () => {
      const ep = this.endpointName(params, source.peer);
      this.checkLinks(links);
      const d = params.d;
      const found = await this.store.findByName(ep, d);
      const existing = this.live(found);
      if (found && !existing) {
        await this.store.delete(found.id);
        this.emit({ type: 'expired', registration: found });
      }
      await this.authorize({ action: 'register', peer: source.peer, registration: existing, ep, d });
      if (!existing && (await this.store.size()) >= this.maxRegistrations)
        throw CoapError.serviceUnavailable('registration limit reached');
      const now = this.clock.now();
      const lt = params.lt ?? DEFAULT_LIFETIME_S;
      const id = existing?.id ?? (await this.freshId());
      const reg: Registration = {
        id,
        location: [...this.registrationPath.split('/').filter(Boolean), id],
        ep,
        d,
        base: params.base ?? source.sourceBase,
        baseExplicit: params.base !== undefined,
        lt,
        attributes: params.attributes.filter((a) => a.value !== ''),
        links: [...links],
        owner: identityKey(source.peer.identity),
        registeredAt: now,
        updatedAt: now,
        expiresAt: now + lt * 1000,
      };
      await this.store.put(reg);
      this.emit(
        existing
          ? { type: 'updated', registration: reg, previous: existing }
          : { type: 'registered', registration: reg },
      );
      this.schedule(reg.expiresAt);
      return reg;
    });
  }

  /**
   * Registration update (RFC 9176 §5.3.1): refreshes the lifetime, applies lt/base/attributes;
   * `links` (when given) replace the registered links. Without `base`, an implicit base follows
   * the request's source address.
   */
  update(
    id: string,
    params: RegistrationParameters,
    links: readonly Link[] | undefined,
    source: RequestSource,
  ): Promise<Registration> {
    return this.exclusive(async () => {
      const current = await this.existing(id);
      await this.authorize({
        action: 'update',
        peer: source.peer,
        registration: current,
        ep: current.ep,
        d: current.d,
      });
      if (params.ep !== undefined && params.ep !== current.ep)
        throw CoapError.badRequest('ep cannot change in an update');
      if (params.d !== undefined && params.d !== current.d) throw CoapError.badRequest('d cannot change in an update');
      if (links) this.checkLinks(links);
      const now = this.clock.now();
      const lt = params.lt ?? current.lt;
      const explicit = params.base !== undefined || current.baseExplicit;
      const reg: Registration = {
        ...current,
        base: params.base ?? (current.baseExplicit ? current.base : source.sourceBase),
        baseExplicit: explicit,
        lt,
        attributes: params.attributes.length
          ? mergeAttributes(current.attributes, params.attributes)
          : current.attributes,
        links: links ? [...links] : current.links,
        updatedAt: now,
        expiresAt: now + lt * 1000,
      };
      await this.store.put(reg);
      this.emit({ type: 'updated', registration: reg, previous: current });
      this.schedule(reg.expiresAt);
      return reg;
    });
  }

  remove(id: string, source: RequestSource): Promise<Registration> {
    return this.exclusive(async () => {
      const current = await this.existing(id);
      await this.authorize({
        action: 'remove',
        peer: source.peer,
        registration: current,
        ep: current.ep,
        d: current.d,
      });
      await this.store.delete(id);
      this.emit({ type: 'removed', registration: current });
      return current;
    });
  }

  /** GET of a registration resource. */
  async read(id: string, source: RequestSource): Promise<Registration> {
    const current = await this.existing(id);
    await this.authorize({ action: 'read', peer: source.peer, registration: current, ep: current.ep, d: current.d });
    return current;
  }

  /** Endpoint lookup (RFC 9176 §7): one link per matching registration. */
  async lookupEndpoints(query: LookupQuery, source?: RequestSource): Promise<Link[]> {
    if (source) await this.authorize({ action: 'lookup', peer: source.peer, registration: undefined });
    const { from, to } = pageWindow(query, this.maxLookupResults);
    if (to <= from) return [];
    const out: Link[] = [];
    let n = 0;
    const now = this.clock.now();
    const visible = this.visibility(source);
    for (const r of await this.store.candidates(query.criteria)) {
      if (r.expiresAt <= now || !registrationMatches(r, query.criteria) || !visible(r)) continue;
      if (n >= from) out.push(endpointLink(r));
      if (++n >= to) break;
    }
    return out;
  }

  /** Resource lookup (RFC 9176 §7): matching links, with absolute targets and anchors. */
  async lookupResources(query: LookupQuery, source?: RequestSource): Promise<Link[]> {
    if (source) await this.authorize({ action: 'lookup', peer: source.peer, registration: undefined });
    const { from, to } = pageWindow(query, this.maxLookupResults);
    if (to <= from) return [];
    const out: Link[] = [];
    let n = 0;
    const now = this.clock.now();
    const visible = this.visibility(source);
    outer: for (const r of await this.store.candidates(query.criteria)) {
      if (r.expiresAt <= now || !visible(r)) continue;
      for (const l of r.links) {
        if (!linkMatches(r, l, query.criteria)) continue;
        if (n >= from) out.push(resolvedLink(r, l));
        if (++n >= to) break outer;
      }
    }
    return out;
  }

  /** Whether a change to `r` could alter a lookup with these criteria (for observers). */
  affects(r: Registration, criteria: readonly Criterion[]): boolean {
    return registrationMatches(r, criteria);
  }

  /** Removes expired registrations now (the timer does this on its own). */
  async sweep(): Promise<Registration[]> {
    const gone = await this.exclusive(() => this.store.takeExpired(this.clock.now()));
    for (const r of gone) this.emit({ type: 'expired', registration: r });
    return gone;
  }

  /** Stops the expiry timer. The store is left as it is. */
  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    this.listeners.clear();
  }

  // ---- internals -------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async authorize(req: AuthorizationRequest): Promise<void> {
    if (!(await this.authorizer(req))) throw CoapError.forbidden(`not allowed to ${req.action} this registration`);
  }

  private visibility(source: RequestSource | undefined): (r: Registration) => boolean {
    const f = this.lookupFilter;
    if (!f || !source) return () => true;
    return (r) => f(source.peer, r);
  }

  private live(r: Registration | undefined): Registration | undefined {
    return r && r.expiresAt > this.clock.now() ? r : undefined;
  }

  private async existing(id: string): Promise<Registration> {
    const r = this.live(await this.store.get(id));
    if (!r) throw CoapError.notFound('no such registration');
    return r;
  }

  private checkLinks(links: readonly Link[]): void {
    if (links.length > this.maxLinks) throw CoapError.requestEntityTooLarge(`more than ${this.maxLinks} links`);
  }

  private async freshId(): Promise<string> {
    for (let i = 0; i < 32; i++) {
      const id = this.nextId();
      if (!/^[A-Za-z0-9._~-]+$/.test(id)) throw new Error(`idGenerator gave an id unfit for a path segment: ${id}`);
      if (!(await this.store.get(id))) return id;
    }
    throw CoapError.serviceUnavailable('could not allocate a registration id');
  }

  private emit(e: RdEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (error) {
        this.onError(error, `${e.type} listener`);
      }
    }
  }

  /** Arms the expiry timer for `at` unless it fires earlier already. */
  private schedule(at: number): void {
    if (this.closed || (this.timer && this.timer.at <= at)) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const delay = Math.min(Math.max(0, at - this.clock.now()), DAY_MS);
    const handle = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.sweep()
        .then(() => this.store.nextExpiry())
        .then(
          (next) => {
            if (next !== undefined) this.schedule(next);
          },
          (error: unknown) => {
            // A failing store: report, and try again in a second.
            this.onError(error, 'expiry sweep');
            this.schedule(this.clock.now() + 1000);
          },
        );
    }, delay);
    this.timer = { handle, at: this.clock.now() + delay };
  }
}

function pageWindow(q: LookupQuery, limit: number): { from: number; to: number } {
  if (q.count === undefined) return { from: 0, to: limit };
  return { from: q.page * q.count, to: (q.page + 1) * q.count };
}
