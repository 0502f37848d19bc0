/**
 * Which index entries a Resource Directory registration belongs to: for each indexed
 * attribute name, every value it has on the registration or on any of its links, plus each
 * space-separated token of such a value (so `rt=temp` finds `rt="light temp"`).
 */
import type { Criterion, Registration as RdRegistration } from '@lwm2m-ts/rd';

export const DEFAULT_RD_INDEXED = ['ep', 'd', 'et', 'rt', 'if'] as const;

/** "name=value" strings (attribute names never contain '='). */
export function rdIndexKeys(r: RdRegistration, indexed: ReadonlySet<string>): Set<string> {
  const keys = new Set<string>();
  const add = (name: string, value: string | true | undefined) => {
    if (!indexed.has(name) || typeof value !== 'string' || value === '') return;
    keys.add(`${name}=${value}`);
    if (value.includes(' ')) for (const token of value.split(' ')) if (token !== '') keys.add(`${name}=${token}`);
  };
  add('ep', r.ep);
  add('d', r.d);
  for (const a of r.attributes) if (a.name !== 'ep' && a.name !== 'd') add(a.name, a.value);
  for (const link of r.links) for (const a of link.attributes) add(a.name, a.value);
  return keys;
}

/** The index entry a criterion can be answered from, if any (exact, single-token values only). */
export function criterionIndexKey(c: Criterion, indexed: ReadonlySet<string>): string | undefined {
  if (!indexed.has(c.name) || c.value === true || c.value === '' || c.value.endsWith('*') || c.value.includes(' ')) {
    return undefined;
  }
  return `${c.name}=${c.value}`;
}

/** The (endpoint, sector) key of findByName; the default sector cannot collide with a named one. */
export const rdNameKey = (ep: string, d: string | undefined): string =>
  d === undefined ? `\u0000${ep}` : `${d}\u0000${ep}`;
