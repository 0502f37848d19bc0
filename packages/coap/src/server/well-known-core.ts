/** RFC 6690 /.well-known/core generated from the router, with §4.1 query filtering. */
import { ContentFormat, filterLinks, type Link, type LinkAttribute, serializeLinkFormat } from '@lwm2m-ts/codec';
import type { CoapResponseInit } from '../response';
import type { Route, Router } from './router';

export const WELL_KNOWN_CORE = '/.well-known/core';

const many = <T>(v: T | readonly T[] | undefined): readonly T[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];

/** Links of the router's listable resources (static paths, not hidden). */
export function routerLinks(router: Router): Link[] {
  const links: Link[] = [];
  for (const r of router.routes()) {
    if (r.definition.hidden || r.segments.some((s) => s.startsWith(':') || s === '*')) continue;
    links.push(routeLink(r));
  }
  return links;
}

function routeLink(route: Route): Link {
  const d = route.definition;
  const attributes: LinkAttribute[] = [];
  const rt = many(d.rt);
  if (rt.length) attributes.push({ name: 'rt', value: rt.join(' '), quoted: true });
  const ifs = many(d.if);
  if (ifs.length) attributes.push({ name: 'if', value: ifs.join(' '), quoted: true });
  const ct = many(d.ct);
  if (ct.length === 1) attributes.push({ name: 'ct', value: String(ct[0]) });
  else if (ct.length > 1) attributes.push({ name: 'ct', value: ct.join(' '), quoted: true });
  if (d.observable) attributes.push({ name: 'obs', value: true });
  if (d.sz !== undefined) attributes.push({ name: 'sz', value: String(d.sz) });
  if (d.title !== undefined) attributes.push({ name: 'title', value: d.title, quoted: true });
  for (const [name, v] of Object.entries(d.extra ?? {})) {
    if (v === false) continue;
    attributes.push(v === true ? { name, value: true } : { name, value: String(v), quoted: typeof v === 'string' });
  }
  return { href: route.path, attributes };
}

/** The GET /.well-known/core answer for a request's Uri-Query. */
export function wellKnownCore(router: Router, query: readonly string[]): CoapResponseInit {
  const links = routerLinks(router);
  return {
    payload: serializeLinkFormat(query.length ? filterLinks(links, query) : links),
    contentFormat: ContentFormat.LINK_FORMAT,
  };
}
