import { CodecError, type Link, type LinkAttribute, parseLinkFormat, serializeLinkFormat } from '@lwm2m-ts/codec';
import { LwM2mPath } from '../path/lwm2m-path';

/**
 * LwM2M attributes a Discover response reports (OMA LwM2M TS Core 1.1+, 5.1.2): notification
 * attributes pmin, pmax, gt, lt, st, epmin, epmax; `dim` (number of resource instances) and
 * `ver` (object version).
 */
export interface LwM2mAttributes {
  readonly pmin?: number;
  readonly pmax?: number;
  readonly gt?: number;
  readonly lt?: number;
  readonly st?: number;
  readonly epmin?: number;
  readonly epmax?: number;
  readonly dim?: number;
  readonly ver?: string;
}

export interface DiscoverLink {
  readonly path: LwM2mPath;
  readonly attributes: LwM2mAttributes;
}

type Name = keyof LwM2mAttributes;
/** Order in which attributes are written. */
const ORDER: readonly Name[] = ['ver', 'dim', 'pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax'];
const INTEGERS = new Set<Name>(['pmin', 'pmax', 'epmin', 'epmax', 'dim']);
const DECIMAL = /^-?\d+(\.\d+)?$/;

function formatValue(name: Name, value: number | string): string {
  if (name === 'ver') {
    if (typeof value !== 'string' || !/^\d+\.\d+$/.test(value))
      throw new RangeError(`ver must be "major.minor", got ${value}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number`);
  if (INTEGERS.has(name) && (!Number.isInteger(value) || value < 0)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  if (name === 'dim' && value > 255) throw new RangeError(`dim must be in 0..255, got ${value}`);
  return String(value);
}

/** Builds a Discover body, e.g. `</3/0>;pmin=10,</3/0/1>,</3/0/6>;dim=2`. */
export function buildDiscoverPayload(links: readonly DiscoverLink[]): string {
  return serializeLinkFormat(
    links.map((l) => ({
      href: l.path.toString(),
      attributes: ORDER.filter((n) => l.attributes[n] !== undefined).map(
        (name): LinkAttribute => ({ name, value: formatValue(name, l.attributes[name]!) }),
      ),
    })),
  );
}

function parseAttribute(link: Link, attribute: LinkAttribute): [Name, number | string] | undefined {
  const name = attribute.name as Name;
  if (!ORDER.includes(name)) return undefined; // other attributes (e.g. rt, ct) are not LwM2M's
  const location = `<${link.href}>;${attribute.name}`;
  const value = attribute.value;
  if (value === true) throw new CodecError(`discover: ${attribute.name} needs a value`, { location });
  if (name === 'ver') {
    if (!/^\d+\.\d+$/.test(value)) throw new CodecError(`discover: ver "${value}" is not "major.minor"`, { location });
    return [name, value];
  }
  if (INTEGERS.has(name) ? !/^\d{1,10}$/.test(value) : !DECIMAL.test(value)) {
    throw new CodecError(`discover: ${name}=${value} is not a valid ${INTEGERS.has(name) ? 'integer' : 'number'}`, {
      location,
    });
  }
  const n = Number(value);
  if (name === 'dim' && n > 255) throw new CodecError(`discover: dim=${value} is out of range 0..255`, { location });
  return [name, n];
}

/** Parses a Discover body; hrefs must be LwM2M paths and attribute values well-formed. */
export function parseDiscoverPayload(text: string): DiscoverLink[] {
  return parseLinkFormat(text).map((link) => {
    const path = link.href.startsWith('/') ? LwM2mPath.tryParse(link.href) : undefined;
    if (!path || path.isRoot()) {
      throw new CodecError(`discover: "${link.href}" is not an LwM2M path`, { location: `<${link.href}>` });
    }
    const attributes: Partial<Record<Name, number | string>> = {};
    for (const a of link.attributes) {
      const parsed = parseAttribute(link, a);
      if (parsed) attributes[parsed[0]] = parsed[1];
    }
    return { path, attributes: attributes as LwM2mAttributes };
  });
}
