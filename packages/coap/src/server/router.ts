/**
 * Resource router: path -> handlers per method, with CoRE link attributes for
 * /.well-known/core. Static paths are one Map lookup; `:name` segments and a trailing `*`
 * (zero or more segments) are matched in registration order.
 */
import type { Method } from '../method';
import type { CoapRequest } from '../request';
import type { CoapResponseInit } from '../response';

/** A resource handler: return (or resolve to) the answer; `undefined` means the method's default success code. */
export type Handler = (request: CoapRequest) => HandlerResult | Promise<HandlerResult>;
// biome-ignore lint/suspicious/noConfusingVoidType: handlers written as `() => {}` must type-check
export type HandlerResult = CoapResponseInit | undefined | void;

/** RFC 6690 / RFC 7641 / RFC 7959 link attributes of a resource. */
export interface ResourceAttributes {
  readonly rt?: string | readonly string[];
  readonly if?: string | readonly string[];
  readonly ct?: number | readonly number[];
  /** Maximum size estimate (bytes). */
  readonly sz?: number;
  readonly title?: string;
  /** Leave the resource out of /.well-known/core. */
  readonly hidden?: boolean;
  /** Other attributes, rendered as given (`true` renders as a bare attribute). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

export interface ResourceDefinition extends ResourceAttributes {
  readonly get?: Handler;
  readonly post?: Handler;
  readonly put?: Handler;
  readonly delete?: Handler;
  readonly fetch?: Handler;
  readonly patch?: Handler;
  readonly ipatch?: Handler;
  /** GET with Observe=0 registers an observer (RFC 7641); advertised as `obs`. */
  readonly observable?: boolean;
}

export interface Route {
  /** "/sensors/:id" as registered (normalized, leading slash). */
  readonly path: string;
  readonly segments: readonly string[];
  readonly definition: ResourceDefinition;
  readonly handlers: ReadonlyMap<Method, Handler>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

const METHOD_KEYS: readonly [keyof ResourceDefinition, Method][] = [
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['delete', 'DELETE'],
  ['fetch', 'FETCH'],
  ['patch', 'PATCH'],
  ['ipatch', 'IPATCH'],
];

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export const splitPath = (path: string): string[] => path.split('/').filter((s) => s.length > 0);
const joinPath = (segments: readonly string[]): string => `/${segments.join('/')}`;
const isPattern = (segments: readonly string[]) => segments.some((s) => s.startsWith(':') || s === '*');

export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Route[] = [];

  /** Adds (or replaces) a resource. */
  add(path: string, definition: ResourceDefinition): this {
    const segments = splitPath(path);
    const star = segments.indexOf('*');
    if (star >= 0 && star !== segments.length - 1) throw new TypeError(`'*' must be the last segment: ${path}`);
    const handlers = new Map<Method, Handler>();
    for (const [key, method] of METHOD_KEYS) {
      const h = definition[key];
      if (typeof h === 'function') handlers.set(method, h as Handler);
    }
    const route: Route = { path: joinPath(segments), segments, definition, handlers };
    this.remove(route.path);
    if (isPattern(segments)) this.patterns.push(route);
    else this.exact.set(route.path, route);
    return this;
  }

  get(path: string, handler: Handler, attributes: ResourceAttributes & { observable?: boolean } = {}): this {
    return this.merge(path, { ...attributes, get: handler });
  }
  post(path: string, handler: Handler, attributes: ResourceAttributes = {}): this {
    return this.merge(path, { ...attributes, post: handler });
  }
  put(path: string, handler: Handler, attributes: ResourceAttributes = {}): this {
    return this.merge(path, { ...attributes, put: handler });
  }
  delete(path: string, handler: Handler, attributes: ResourceAttributes = {}): this {
    return this.merge(path, { ...attributes, delete: handler });
  }
  fetch(path: string, handler: Handler, attributes: ResourceAttributes = {}): this {
    return this.merge(path, { ...attributes, fetch: handler });
  }

  /** Removes a resource; true if it existed. */
  remove(path: string): boolean {
    const p = joinPath(splitPath(path));
    if (this.exact.delete(p)) return true;
    const i = this.patterns.findIndex((r) => r.path === p);
    if (i < 0) return false;
    this.patterns.splice(i, 1);
    return true;
  }

  /** The route for a Uri-Path, or undefined (4.04). */
  match(path: readonly string[]): RouteMatch | undefined {
    const route = this.exact.get(joinPath(path));
    if (route) return { route, params: NO_PARAMS };
    for (const r of this.patterns) {
      const params = matchPattern(r.segments, path);
      if (params) return { route: r, params };
    }
    return undefined;
  }

  /** Every registered route, static ones first. */
  routes(): Route[] {
    return [...this.exact.values(), ...this.patterns];
  }

  private merge(path: string, extra: ResourceDefinition): this {
    const existing =
      this.exact.get(joinPath(splitPath(path))) ?? this.patterns.find((r) => r.path === joinPath(splitPath(path)));
    return this.add(path, existing ? { ...existing.definition, ...extra } : extra);
  }
}

function matchPattern(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '*') {
      params['*'] = path.slice(i).join('/');
      return params;
    }
    const s = path[i];
    if (s === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return path.length === pattern.length ? params : undefined;
}
