/**
 * CoRE Link Format (RFC 6690): parse, serialize, and the §4.1 query filtering used by
 * /.well-known/core and the Resource Directory.
 */
import { CodecError } from '../codec-error';
import { decodeUtf8 } from './option-values';

export interface LinkAttribute {
  readonly name: string;
  /** `true` for a valueless attribute (`;obs`). */
  readonly value: string | true;
  /** Whether the value was (or is to be) written as a quoted-string. */
  readonly quoted?: boolean;
}

export interface Link {
  /** The URI-Reference between < and >. */
  readonly href: string;
  /** In order; an attribute name may repeat (`;rt=a;rt=b`). */
  readonly attributes: readonly LinkAttribute[];
}

// RFC 6690 ptokenchar: printable ASCII except SP, '"', ',', ';', '\'.
const isPtokenChar = (c: number): boolean =>
  c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c;
// RFC 8288 parmname (plus '*' for ext-name-star).
const isNameChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  '!#$&+-.^_`|~*'.includes(String.fromCharCode(c));
const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Parses a link-format document (text, or a payload decoded as UTF-8); whitespace around
 * separators is tolerated.
 */
export function parseLinkFormat(input: string | Uint8Array): Link[] {
  const text = typeof input === 'string' ? input : decodeUtf8(input, true);
  const links: Link[] = [];
  const n = text.length;
  let i = 0;
  const skipWs = () => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  const fail = (what: string): never => {
    throw new CodecError(`malformed link format: ${what}`, { offset: i });
  };
  skipWs();
  if (i === n) return links;
  for (;;) {
    if (text.charCodeAt(i) !== 0x3c) fail("expected '<'");
    const close = text.indexOf('>', i + 1);
    if (close < 0) fail("unterminated '<'");
    const href = text.slice(i + 1, close);
    for (let k = 0; k < href.length; k++) {
      const c = href.charCodeAt(k);
      if (c <= 0x20 || c === 0x3c || c === 0x22) {
        i += 1 + k;
        fail('invalid character in URI-Reference');
      }
    }
    i = close + 1;
    const attributes: LinkAttribute[] = [];
    skipWs();
    while (i < n && text.charCodeAt(i) === 0x3b) {
      i++;
      skipWs();
      const start = i;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      if (i === start) fail('expected attribute name');
      const name = text.slice(start, i);
      skipWs();
      if (i < n && text.charCodeAt(i) === 0x3d) {
        i++;
        skipWs();
        if (text.charCodeAt(i) === 0x22) {
          i++;
          let value = '';
          let from = i;
          for (;;) {
            if (i >= n) fail('unterminated quoted-string');
            const c = text.charCodeAt(i);
            if (c === 0x22) break;
            if (c === 0x5c) {
              value += text.slice(from, i);
              i++;
              if (i >= n) fail('unterminated quoted-string');
              from = i;
            }
            i++;
          }
          value += text.slice(from, i);
          i++;
          attributes.push({ name, value, quoted: true });
        } else {
          const vs = i;
          while (i < n && isPtokenChar(text.charCodeAt(i))) i++;
          if (i === vs) fail(`expected value for attribute ${name}`);
          attributes.push({ name, value: text.slice(vs, i), quoted: false });
        }
      } else {
        attributes.push({ name, value: true });
      }
      skipWs();
    }
    links.push({ href, attributes });
    if (i === n) return links;
    if (text.charCodeAt(i) !== 0x2c) fail("expected ',' or ';'");
    i++;
    skipWs();
    if (i === n) fail('trailing comma');
  }
}

/** Attributes written as quoted-strings by default (RFC 6690 §3/§5 examples). */
const QUOTED_BY_DEFAULT = new Set(['rt', 'if', 'rel', 'rev', 'anchor', 'title']);

const isPtoken = (s: string): boolean => {
  if (s.length === 0) return false;
  for (let k = 0; k < s.length; k++) if (!isPtokenChar(s.charCodeAt(k))) return false;
  return true;
};

function serializeAttribute(a: LinkAttribute): string {
  if (a.value === true) return `;${a.name}`;
  const quote = a.quoted ?? QUOTED_BY_DEFAULT.has(a.name);
  if (!quote && isPtoken(a.value)) return `;${a.name}=${a.value}`;
  return `;${a.name}="${a.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function serializeLinkFormat(links: readonly Link[]): string {
  return links.map((l) => `<${l.href}>${l.attributes.map(serializeAttribute).join('')}`).join(',');
}

/** Every value of attribute `name` (valueless ones as `true`), in order. */
export const getLinkAttributes = (link: Link, name: string): (string | true)[] =>
  link.attributes.filter((a) => a.name === name).map((a) => a.value);

/** The first value of attribute `name`. */
export const getLinkAttribute = (link: Link, name: string): string | true | undefined =>
  link.attributes.find((a) => a.name === name)?.value;

/**
 * Values of a relation-type style attribute (rt, if, rel): all instances, split on spaces
 * (`rt="a b";rt=c` -> ["a", "b", "c"]).
 */
export const getLinkValues = (link: Link, name: string): string[] =>
  link.attributes.flatMap((a) => (a.name === name && a.value !== true ? a.value.split(' ').filter(Boolean) : []));

const matchValue = (candidate: string, wanted: string): boolean =>
  wanted.endsWith('*') ? candidate.startsWith(wanted.slice(0, -1)) : candidate === wanted;

/**
 * RFC 6690 §4.1: whether `link` matches `?name=value`. `href` matches the link target; a
 * trailing `*` makes a prefix match; a space-separated value matches if any one value does;
 * no value (or `true`) matches presence of the attribute.
 */
export function matchesLinkQuery(link: Link, name: string, value?: string | true): boolean {
  if (name === 'href') return value === undefined || value === true || matchValue(link.href, value);
  for (const a of link.attributes) {
    if (a.name !== name) continue;
    if (value === undefined || value === true) return true;
    if (a.value === true) {
      if (value === '' || value === '*') return true;
      continue;
    }
    if (matchValue(a.value, value)) return true;
    if (a.value.includes(' ') && a.value.split(' ').some((v) => v !== '' && matchValue(v, value))) return true;
  }
  return false;
}

/** Links matching every query ("rt=oma.lwm2m", "href=/3*", "obs"), e.g. a request's Uri-Query. */
export function filterLinks(links: readonly Link[], queries: readonly string[]): Link[] {
  const parsed = queries.map((q) => {
    const eq = q.indexOf('=');
    return eq < 0 ? ([q, true] as const) : ([q.slice(0, eq), q.slice(eq + 1)] as const);
  });
  return links.filter((l) => parsed.every(([name, value]) => matchesLinkQuery(l, name, value)));
}
