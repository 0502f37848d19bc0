/**
 * RFC 9176 §7 lookup filtering: every query parameter except `page` and `count` is a filter on
 * a registration attribute or a link target attribute, matched like RFC 6690 §4.1 (a trailing
 * `*` makes a prefix match, space-separated values match one by one, no value means presence).
 */
import { CoapError } from '@lwm2m-ts/coap';
import { type Link, matchesLinkQuery } from '@lwm2m-ts/codec';
import { locationHref, type Registration, resolvedLink } from './registration';

export interface Criterion {
  readonly name: string;
  /** `true` for a bare `?name` (presence). */
  readonly value: string | true;
}

export interface LookupQuery {
  readonly criteria: readonly Criterion[];
  /** Zero-based page; with `count`. */
  readonly page: number;
  readonly count: number | undefined;
}

const MAX_PAGE_PARAM = 0xffff_ffff;

function nonNegativeInt(name: string, v: string | true): number {
  if (v === true || !/^\d{1,10}$/.test(v) || Number(v) > MAX_PAGE_PARAM)
    throw CoapError.badRequest(`${name} must be a non-negative integer`);
  return Number(v);
}

/** Parses a lookup's Uri-Query; 4.00 on a bad `page`/`count`. */
export function parseLookupQuery(query: readonly string[]): LookupQuery {
  const criteria: Criterion[] = [];
  let page: number | undefined;
  let count: number | undefined;
  for (const q of query) {
    const eq = q.indexOf('=');
    const name = eq < 0 ? q : q.slice(0, eq);
    const value: string | true = eq < 0 ? true : q.slice(eq + 1);
    if (name === '') throw CoapError.badRequest('empty query parameter name');
    if (name === 'page') page = nonNegativeInt(name, value);
    else if (name === 'count') count = nonNegativeInt(name, value);
    else criteria.push({ name, value });
  }
  if (page !== undefined && count === undefined) throw CoapError.badRequest('page needs count');
  return { criteria, page: page ?? 0, count };
}

const REGISTRATION_ONLY = new Set(['ep', 'd', 'base', 'lt']);

const valueMatches = (candidate: string, wanted: string | true): boolean =>
  wanted === true || (wanted.endsWith('*') ? candidate.startsWith(wanted.slice(0, -1)) : candidate === wanted);

/** Whether the registration's own attributes (ep, d, base, lt, et, extras; href = its location) satisfy `c`. */
export function registrationSatisfies(r: Registration, c: Criterion): boolean {
  switch (c.name) {
    case 'ep':
      return valueMatches(r.ep, c.value);
    case 'd':
      return r.d !== undefined && valueMatches(r.d, c.value);
    case 'base':
      return valueMatches(r.base, c.value);
    case 'lt':
      return valueMatches(String(r.lt), c.value);
    case 'href':
      return valueMatches(locationHref(r), c.value);
    default:
      return r.attributes.length > 0 && matchesLinkQuery({ href: '', attributes: r.attributes }, c.name, c.value);
  }
}

/** Whether a link satisfies a criterion by itself (href: as registered, or resolved against base). */
function linkSatisfies(r: Registration, link: Link, c: Criterion): boolean {
  if (c.name === 'href') {
    if (matchesLinkQuery(link, 'href', c.value)) return true;
    return matchesLinkQuery(resolvedLink(r, link), 'href', c.value);
  }
  return matchesLinkQuery(link, c.name, c.value);
}

/**
 * Endpoint lookup: the criteria the registration's own attributes do not satisfy must all be
 * satisfied by one of its links.
 */
export function registrationMatches(r: Registration, criteria: readonly Criterion[]): boolean {
  if (criteria.length === 0) return true;
  const rest: Criterion[] = [];
  for (const c of criteria) {
    if (registrationSatisfies(r, c)) continue;
    if (REGISTRATION_ONLY.has(c.name) || c.name === 'href') return false;
    rest.push(c);
  }
  return rest.length === 0 || r.links.some((l) => rest.every((c) => linkSatisfies(r, l, c)));
}

/** Resource lookup: a link matches when each criterion holds for the link or for its registration. */
export function linkMatches(r: Registration, link: Link, criteria: readonly Criterion[]): boolean {
  for (const c of criteria) {
    if (c.name === 'href') {
      if (!linkSatisfies(r, link, c)) return false;
      continue;
    }
    if (!REGISTRATION_ONLY.has(c.name) && matchesLinkQuery(link, c.name, c.value)) continue;
    if (registrationSatisfies(r, c)) continue;
    return false;
  }
  return true;
}
