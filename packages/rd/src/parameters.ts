/** RFC 9176 §5.3 registration parameters (Uri-Query of a registration or an update), validated. */
import { CoapError } from '@lwm2m-ts/coap';
import type { LinkAttribute } from '@lwm2m-ts/codec';
import { isValidBase } from './uri-reference';

/** RFC 9176 §5.3: lt defaults to 90000 s (25 h) and is at most 2^32-1 s. */
export const DEFAULT_LIFETIME_S = 90_000;
export const MAX_LIFETIME_S = 0xffff_ffff;
/** RFC 9176 §5.3: ep and d are at most 63 bytes of UTF-8. */
export const MAX_NAME_BYTES = 63;

export interface RegistrationParameters {
  ep?: string;
  /** Sector: present-but-empty is rejected. */
  d?: string;
  lt?: number;
  base?: string;
  /** et and extra attributes in order; an empty value (`et=`) asks an update to remove the attribute. */
  attributes: LinkAttribute[];
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;
const TOKEN_RE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

function nameParam(name: string, v: string): string {
  if (v === '' || byteLength(v) > MAX_NAME_BYTES)
    throw CoapError.badRequest(`${name} must be 1..${MAX_NAME_BYTES} bytes`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw CoapError.badRequest(`${name} contains a control character`);
  }
  return v;
}

/** Parses and checks the query; 4.00 with a sentence on anything malformed. */
export function parseRegistrationParameters(
  query: readonly string[],
  options: { maxLifetimeS?: number; minLifetimeS?: number } = {},
): RegistrationParameters {
  const out: RegistrationParameters = { attributes: [] };
  const seen = new Set<string>();
  const maxLt = options.maxLifetimeS ?? MAX_LIFETIME_S;
  const minLt = options.minLifetimeS ?? 1;
  for (const q of query) {
    const eq = q.indexOf('=');
    const name = eq < 0 ? q : q.slice(0, eq);
    const value = eq < 0 ? undefined : q.slice(eq + 1);
    if (name === '') throw CoapError.badRequest('empty query parameter name');
    if (!TOKEN_RE.test(name) || name.includes('='))
      throw CoapError.badRequest(`bad parameter name ${JSON.stringify(name)}`);
    const single = name === 'ep' || name === 'd' || name === 'lt' || name === 'base';
    if (single && seen.has(name)) throw CoapError.badRequest(`${name} given twice`);
    seen.add(name);
    switch (name) {
      case 'ep':
        out.ep = nameParam('ep', value ?? '');
        break;
      case 'd':
        out.d = nameParam('d', value ?? '');
        break;
      case 'lt': {
        if (value === undefined || !/^\d{1,10}$/.test(value))
          throw CoapError.badRequest('lt must be an integer number of seconds');
        const lt = Number(value);
        if (lt < minLt || lt > maxLt) throw CoapError.badRequest(`lt must be ${minLt}..${maxLt} seconds`);
        out.lt = lt;
        break;
      }
      case 'base':
        if (value === undefined || !isValidBase(value))
          throw CoapError.badRequest('base must be an absolute URI with authority and without query or fragment');
        out.base = value;
        break;
      case 'page':
      case 'count':
      case 'href':
      case 'anchor':
      case 'rel':
        throw CoapError.badRequest(`${name} is not a registration attribute`);
      default:
        out.attributes.push(value === undefined ? { name, value: true } : { name, value });
    }
  }
  return out;
}

/** Applies an update's attributes: same name replaces, empty value removes, new names append. */
export function mergeAttributes(current: readonly LinkAttribute[], update: readonly LinkAttribute[]): LinkAttribute[] {
  const names = new Set(update.map((a) => a.name));
  const out = current.filter((a) => !names.has(a.name));
  for (const a of update) if (a.value !== '') out.push(a);
  return out;
}
