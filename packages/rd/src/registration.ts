/** What the RD keeps per registration, and how a registration renders as a link. */
import type { Link, LinkAttribute } from '@lwm2m-ts/codec';
import { resolveReference } from './uri-reference';

export interface Registration {
  /** Registration resource id: the last Location-Path segment ("4521" in /rd/4521). */
  readonly id: string;
  /** Location-Path of the registration resource (["rd", "4521"]). */
  readonly location: readonly string[];
  /** Endpoint name (`ep`). */
  readonly ep: string;
  /** Sector (`d`); undefined is the default sector. */
  readonly d: string | undefined;
  /** Base URI the links are relative to. */
  readonly base: string;
  /** True when the registrant gave `base`; false when it is the request's source address (kept fresh on update). */
  readonly baseExplicit: boolean;
  /** Lifetime in seconds. */
  readonly lt: number;
  /** `et` and any other registration attributes (not ep, d, lt, base), in order. */
  readonly attributes: readonly LinkAttribute[];
  readonly links: readonly Link[];
  /** Security identity of the registrant (see identityKey); undefined on unsecured transports. */
  readonly owner: string | undefined;
  /** Clock milliseconds. */
  readonly registeredAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
}

export const locationHref = (r: Registration): string => `/${r.location.join('/')}`;

/** The registration attributes as link attributes, in RFC 9176 order: ep, d, base, lt, then et and extras. */
export function registrationAttributes(r: Registration): LinkAttribute[] {
  const out: LinkAttribute[] = [{ name: 'ep', value: r.ep }];
  if (r.d !== undefined) out.push({ name: 'd', value: r.d });
  out.push({ name: 'base', value: r.base, quoted: true });
  out.push({ name: 'lt', value: String(r.lt) });
  out.push(...r.attributes);
  return out;
}

/** The endpoint lookup result line of a registration. */
export function endpointLink(r: Registration): Link {
  return { href: locationHref(r), attributes: registrationAttributes(r) };
}

/**
 * A registered link as resource lookup returns it: target resolved against the base, the
 * anchor (context) made absolute, or the base when there was none (RFC 9176 §6.2/Appendix C).
 */
export function resolvedLink(r: Registration, link: Link): Link {
  let anchor: string | undefined;
  const attributes: LinkAttribute[] = [];
  for (const a of link.attributes) {
    if (a.name === 'anchor' && typeof a.value === 'string' && anchor === undefined) anchor = a.value;
    else attributes.push(a);
  }
  const href = resolveReference(link.href, r.base);
  attributes.push({
    name: 'anchor',
    value: anchor === undefined ? r.base : resolveReference(anchor, r.base),
    quoted: true,
  });
  return { href, attributes };
}
