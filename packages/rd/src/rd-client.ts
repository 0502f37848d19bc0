/**
 * The endpoint side of RFC 9176: find an RD through its /.well-known/core, register links and
 * keep the registration refreshed before its lifetime runs out, and look things up.
 */
import {
  type Clock,
  CoapError,
  type CoapResponse,
  type Endpoint,
  type Observation,
  type Peer,
  systemClock,
} from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, type Link, parseLinkFormat, serializeLinkFormat } from '@lwm2m-ts/codec';
import { interfacesOf } from './multicast-discovery';
import { DEFAULT_LIFETIME_S } from './parameters';

/** Where the RD is: a URI ("coap://[2001:db8::1]") or a peer. */
export type RdTarget = { readonly uri: string } | { readonly peer: Peer };

/** The interfaces an RD announced (RFC 9176 §4). */
export interface RdInterfaces {
  readonly registration: string;
  readonly lookupEp: string | undefined;
  readonly lookupRes: string | undefined;
}

export interface RegisterOptions {
  readonly ep: string;
  readonly d?: string;
  /** Lifetime in seconds; default 90000. */
  readonly lt?: number;
  readonly base?: string;
  readonly et?: string;
  /** Other registration attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface RdClientOptions {
  readonly endpoint: Endpoint;
  readonly rd: RdTarget;
  readonly clock?: Clock;
  /** Refresh when this fraction of the lifetime has passed (default 0.9). */
  readonly refreshAt?: number;
  /** Retry delay after a failed refresh (ms, default 10 s, never past expiry). */
  readonly retryMs?: number;
  /** Errors of background refreshes. */
  readonly onError?: (error: unknown) => void;
  /** Known interfaces (e.g. from discoverResourceDirectories): skips the discovery GET. */
  readonly interfaces?: RdInterfaces;
}

type Query = string | readonly string[] | Readonly<Record<string, string | number>>;
const toQuery = (q: Query | undefined): string[] =>
  q === undefined
    ? []
    : typeof q === 'string'
      ? q.split('&').filter(Boolean)
      : Array.isArray(q)
        ? [...(q as readonly string[])]
        : Object.entries(q).map(([k, v]) => `${k}=${v}`);

function expect(res: CoapResponse, code: number, what: string): CoapResponse {
  if (res.code !== code) {
    const why = res.payload.length ? `: ${res.text()}` : '';
    throw new CoapError(res.code, `${what} answered ${res.codeText}${why}`);
  }
  return res;
}

/** A live registration: refreshed in the background until removed or closed. */
export class RdRegistration {
  private timer: unknown;
  private stopped = false;
  /** Location-Path of the registration resource (e.g. ["rd", "4521"]). */
  location: readonly string[];

  constructor(
    private readonly client: RdClient,
    location: readonly string[],
    private readonly links: string,
    private readonly query: readonly string[],
    private lt: number,
  ) {
    this.location = location;
    this.arm(this.client.refreshDelay(lt));
  }

  /** Registration update now (optionally with new lt/base/attributes); re-registers on 4.04. */
  async update(params: Readonly<Record<string, string | number>> = {}): Promise<void> {
    const q = toQuery(params);
    const lt = params.lt === undefined ? this.lt : Number(params.lt);
    const res = await this.client.send({ method: 'POST', path: this.location, query: q });
    if (res.code === CoapCode.NOT_FOUND) {
      // The RD forgot us (expiry, restart): register again.
      const again = await this.client.send({
        method: 'POST',
        path: this.client.interfaces().registration,
        query: this.query,
        payload: this.links,
        contentFormat: ContentFormat.LINK_FORMAT,
      });
      this.location = expect(again, CoapCode.CREATED, 'registration').locationPath;
    } else expect(res, CoapCode.CHANGED, 'registration update');
    this.lt = lt;
    this.arm(this.client.refreshDelay(lt));
  }

  /** Removes the registration at the RD and stops refreshing. */
  async remove(): Promise<void> {
    this.close();
    const res = await this.client.send({ method: 'DELETE', path: this.location });
    if (res.code !== CoapCode.NOT_FOUND) expect(res, CoapCode.DELETED, 'registration removal');
  }

  /** Stops refreshing (the registration expires at the RD by itself). */
  close(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.client.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.client.clock.clearTimeout(this.timer);
    this.timer = this.client.clock.setTimeout(() => {
      this.timer = undefined;
      this.update().catch((e: unknown) => {
        this.client.reportError(e);
        this.arm(this.client.retryMs);
      });
    }, ms);
  }
}

export class RdClient {
  readonly clock: Clock;
  readonly retryMs: number;
  private readonly endpoint: Endpoint;
  private readonly target: RdTarget;
  private readonly refreshFraction: number;
  private readonly onError: (e: unknown) => void;
  private found: RdInterfaces | undefined;

  constructor(options: RdClientOptions) {
    this.endpoint = options.endpoint;
    this.target = options.rd;
    this.clock = options.clock ?? systemClock;
    this.refreshFraction = options.refreshAt ?? 0.9;
    this.retryMs = options.retryMs ?? 10_000;
    this.onError = options.onError ?? (() => {});
    this.found = options.interfaces;
  }

  /** RFC 9176 §4: GET /.well-known/core?rt=core.rd* and remember the announced paths. */
  async discover(): Promise<RdInterfaces> {
    const res = expect(
      await this.send({ method: 'GET', path: '/.well-known/core', query: ['rt=core.rd*'] }),
      CoapCode.CONTENT,
      'RD discovery',
    );
    const found = interfacesOf(parseLinkFormat(res.payload));
    if (!found) throw new CoapError(CoapCode.NOT_FOUND, 'no core.rd resource announced');
    this.found = found;
    return found;
  }

  /** The discovered interfaces (RFC 9176 defaults until discover() ran). */
  interfaces(): RdInterfaces {
    return this.found ?? { registration: '/rd', lookupEp: '/rd-lookup/ep', lookupRes: '/rd-lookup/res' };
  }

  /** Discovers the RD (once), registers `links` and keeps the registration fresh. */
  async register(links: string | readonly Link[], opts: RegisterOptions): Promise<RdRegistration> {
    if (!this.found) await this.discover();
    const body = typeof links === 'string' ? links : serializeLinkFormat(links);
    const query = [`ep=${opts.ep}`];
    if (opts.d !== undefined) query.push(`d=${opts.d}`);
    if (opts.lt !== undefined) query.push(`lt=${opts.lt}`);
    if (opts.base !== undefined) query.push(`base=${opts.base}`);
    if (opts.et !== undefined) query.push(`et=${opts.et}`);
    for (const [k, v] of Object.entries(opts.attributes ?? {})) query.push(`${k}=${v}`);
    const res = await this.send({
      method: 'POST',
      path: this.interfaces().registration,
      query,
      payload: body,
      contentFormat: ContentFormat.LINK_FORMAT,
    });
    expect(res, CoapCode.CREATED, 'registration');
    return new RdRegistration(this, res.locationPath, body, query, opts.lt ?? DEFAULT_LIFETIME_S);
  }

  /** Resource lookup: links with absolute targets. */
  async lookupResources(query?: Query): Promise<Link[]> {
    return this.lookup(this.interfaces().lookupRes, query);
  }

  /** Endpoint lookup: one link per registration, with its attributes. */
  async lookupEndpoints(query?: Query): Promise<Link[]> {
    return this.lookup(this.interfaces().lookupEp, query);
  }

  /** Observes a resource lookup; each notification's payload is the whole current result. */
  observeResources(query?: Query): Observation {
    return this.observeLookup(this.interfaces().lookupRes, query);
  }

  observeEndpoints(query?: Query): Observation {
    return this.observeLookup(this.interfaces().lookupEp, query);
  }

  /** @internal */
  refreshDelay(lt: number): number {
    return Math.max(500, Math.floor(lt * 1000 * this.refreshFraction));
  }

  /** @internal */
  reportError(e: unknown): void {
    this.onError(e);
  }

  /** @internal */
  send(o: {
    method: 'GET' | 'POST' | 'DELETE';
    path: string | readonly string[];
    query?: readonly string[];
    payload?: string;
    contentFormat?: number;
  }): Promise<CoapResponse> {
    const common = {
      method: o.method,
      path: o.path,
      ...(o.query ? { query: o.query } : {}),
      ...(o.payload !== undefined ? { payload: o.payload } : {}),
      ...(o.contentFormat !== undefined ? { contentFormat: o.contentFormat } : {}),
    };
    if ('peer' in this.target) return this.endpoint.request({ ...common, peer: this.target.peer });
    return this.endpoint.request({ ...common, uri: this.uriFor(o.path, o.query) });
  }

  private uriFor(path: string | readonly string[], query: readonly string[] | undefined): string {
    const root = (this.target as { uri: string }).uri.replace(/\/+$/, '');
    const p = typeof path === 'string' ? path : `/${path.join('/')}`;
    const q = query?.length ? `?${query.map((x) => x.replace(/[&#]/g, encodeURIComponent)).join('&')}` : '';
    return `${root}${p.startsWith('/') ? p : `/${p}`}${q}`;
  }

  private async lookup(path: string | undefined, query: Query | undefined): Promise<Link[]> {
    if (!path) throw new CoapError(CoapCode.NOT_FOUND, 'this RD announced no such lookup interface');
    const res = expect(await this.send({ method: 'GET', path, query: toQuery(query) }), CoapCode.CONTENT, 'lookup');
    return parseLinkFormat(res.payload);
  }

  private observeLookup(path: string | undefined, query: Query | undefined): Observation {
    if (!path) throw new CoapError(CoapCode.NOT_FOUND, 'this RD announced no such lookup interface');
    const q = toQuery(query);
    if ('peer' in this.target) return this.endpoint.observe({ peer: this.target.peer, path, query: q });
    return this.endpoint.observe({ uri: this.uriFor(path, q) });
  }
}
